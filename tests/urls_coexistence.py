"""Both packages' endpoints in one project: django-rest-passwordreset's REST views next to
this package's GraphQL view."""

from __future__ import annotations

from django.urls import include, path

from .urls import urlpatterns as graphql_urlpatterns

urlpatterns = [
    *graphql_urlpatterns,
    path(
        "api/password_reset/", include("django_rest_passwordreset.urls", namespace="password_reset")
    ),
]
