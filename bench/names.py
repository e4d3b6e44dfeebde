"""The names the benchmark reports under, kept apart from the Django code so the report can
be redrawn from saved results without setting Django up."""

from __future__ import annotations

OPERATIONS = ("request", "validate", "confirm")

LABELS = {
    "rest": "django-rest-passwordreset (DRF)",
    "graphql": "graphql_passwordreset, GraphQLView",
    "cached": "graphql_passwordreset, CachedGraphQLView(csrf_cookie=False)",
    "floor": "plain Django view (floor)",
    "hasher": "`user.set_password()` + `save()`, no HTTP",
}
