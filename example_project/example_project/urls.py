"""URLs of the example project: the front end's pages, the GraphQL endpoints (GraphiQL in a
browser) and the admin."""

from django.contrib import admin
from django.urls import path

from accounts import views

from .graphql_view import graphql_view
from .schema import relay_schema, schema

urlpatterns = [
    path("", views.sign_in_page, name="sign-in"),
    path("forgot-password/", views.forgot_password_page, name="forgot-password"),
    # The link in the reset e-mail opens this page, with ?token=...
    path("reset-password/", views.reset_password_page, name="reset-password"),
    # CSRF stays on for every request that rides on cookies: see graphql_view.py.
    path("graphql", graphql_view(schema), name="graphql"),
    path("graphql-relay", graphql_view(relay_schema), name="graphql-relay"),
    path("admin/", admin.site.urls),
]
