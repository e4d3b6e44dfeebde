from __future__ import annotations

from django.contrib import admin
from django.urls import path
from graphene_django.views import GraphQLView

from .schema import relay_schema, schema

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql", GraphQLView.as_view(schema=schema)),
    path("graphql-relay", GraphQLView.as_view(schema=relay_schema)),
]
