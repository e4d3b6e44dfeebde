"""Every variant the benchmark drives, on one URLconf: django-rest-passwordreset's REST views,
this package's operations behind graphene-django's GraphQLView and behind the caching view,
and the hand-written floor."""

from __future__ import annotations

from django.urls import include, path
from graphene_django.views import GraphQLView

from graphql_passwordreset.views import CachedGraphQLView

from . import views
from .schema import schema

urlpatterns = [
    path(
        "api/password_reset/", include("django_rest_passwordreset.urls", namespace="password_reset")
    ),
    path("graphql", GraphQLView.as_view(schema=schema)),
    # An API endpoint, as the REST views are: no CSRF cookie handed out with every answer.
    path("graphql-cached", CachedGraphQLView.as_view(schema=schema, csrf_cookie=False)),
    path("floor/request", views.request_token, name="floor-request"),
    path("floor/validate", views.validate_token, name="floor-validate"),
    path("floor/confirm", views.confirm, name="floor-confirm"),
]
