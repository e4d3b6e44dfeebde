"""The names the benchmark reports under, kept apart from the Django code so the report can
be redrawn from saved results without setting Django up."""

from __future__ import annotations

OPERATIONS = ("request", "validate", "confirm")

LABELS = {
    "rest": "django-rest-passwordreset (DRF)",
    "restfloor": "DRF APIView, one-field serializer, no database (REST's floor)",
    "graphql": "graphql_passwordreset, GraphQLView",
    "noop": "no-op field, same document shape and payload, GraphQLView (GraphQL's floor)",
    "floor": "plain Django view doing our SQL (database floor)",
    "hasher": "`user.set_password()` + `save()`, no HTTP",
}

# Each package and the floor its own work is measured from: the same framework path and
# document (or body) shape, with no database work.
FLOORS = {"graphql": "noop", "rest": "restfloor"}
