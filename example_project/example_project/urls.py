"""URLs of the example project: GraphiQL at /graphql, the admin, and the reset link's page."""

from django.contrib import admin
from django.urls import path
from graphene_django.views import GraphQLView

from accounts.views import reset_password_page

urlpatterns = [
    path("admin/", admin.site.urls),
    # CSRF protection stays on for /graphql (no csrf_exempt), deliberately. GraphQLView sets
    # the csrftoken cookie on its responses, and graphene-django's GraphiQL sends it back in
    # the X-CSRFToken header, so mutations from GraphiQL work as they are. Exempting the view
    # would let any web page make its visitors' browsers post mutations here: today
    # requestPasswordReset (mail in their name), tomorrow whatever mutation is added, run with
    # the visitor's session cookie (the admin's, say). A non-browser client (curl, a mobile
    # app) first GETs /graphql for the cookie and echoes it in X-CSRFToken. A project whose API
    # never reads the session, only JWTs in the Authorization header, may choose otherwise.
    path("graphql", GraphQLView.as_view(graphiql=True), name="graphql"),
    path("reset-password/", reset_password_page, name="reset-password"),
]
