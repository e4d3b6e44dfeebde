"""Every variant the benchmark drives, on one URLconf: django-rest-passwordreset's REST views
and a DRF view that does no database work (REST's floor), this package's operations behind
graphene-django's stock GraphQLView (the same schema also holds the no-op fields that are
GraphQL's floor), and plain Django views doing our SQL by hand."""

from __future__ import annotations

from django.urls import include, path
from graphene_django.views import GraphQLView

from . import views
from .schema import schema

urlpatterns = [
    path(
        "api/password_reset/", include("django_rest_passwordreset.urls", namespace="password_reset")
    ),
    path("drf-floor/request", views.DrfFloor.as_view(field="email"), name="drf-floor-request"),
    path("drf-floor/validate", views.DrfFloor.as_view(field="token"), name="drf-floor-validate"),
    path("drf-floor/confirm", views.DrfFloor.as_view(field="token"), name="drf-floor-confirm"),
    path("graphql", GraphQLView.as_view(schema=schema)),
    path("floor/request", views.request_token, name="floor-request"),
    path("floor/validate", views.validate_token, name="floor-validate"),
    path("floor/confirm", views.confirm, name="floor-confirm"),
]
