"""The GraphQL endpoints' view: CSRF protection for every request a browser could forge.

CSRF protection exists because a browser attaches its cookies to requests that another site's
page makes. So the rule here is:

- A request that carries a credential cookie (Django's session, django-graphql-jwt's JWT or
  refresh-token cookie) is checked, always: GraphiQL and the admin run on the session, and
  ``me`` answers for the session's user. GraphiQL sends the csrftoken cookie back in the
  X-CSRFToken header, so it works as it is.
- A request that is not ``application/json`` (a form post, a multipart upload) is checked too:
  an HTML form on any site can send those, cookies or not.
- A JSON request without credential cookies is not checked. It authenticates, if at all, with a
  JWT in the Authorization header, which another site's page cannot send for the visitor.
  Another site's page cannot even send it without a CORS preflight, which this server never
  approves. This is how the front end (it sends no cookies) and API clients such as gql or a
  mobile app talk to the API, without fetching a CSRF cookie first.

The csrftoken cookie alone is not a credential, so a client that keeps cookies (a
``requests.Session``, as gql's transport does) is not turned away because /graphql set one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from graphql_jwt.settings import jwt_settings
from graphql_passwordreset.views import CachedGraphQLView

View = Callable[..., HttpResponse]


def credential_cookie_names() -> set[str]:
    """Cookies that authenticate a request, and so let another site act as the visitor."""
    return {
        settings.SESSION_COOKIE_NAME,
        jwt_settings.JWT_COOKIE_NAME,
        jwt_settings.JWT_REFRESH_TOKEN_COOKIE_NAME,
    }


def needs_csrf_check(request: HttpRequest) -> bool:
    carries_credentials = not credential_cookie_names().isdisjoint(request.COOKIES)
    return carries_credentials or request.content_type != "application/json"


def csrf_for_forgeable_requests(view: View) -> View:
    """``view`` with Django's CSRF check for the requests ``needs_csrf_check`` picks."""
    protected = csrf_protect(view)

    @csrf_exempt  # CsrfViewMiddleware leaves the decision to the wrapper below
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if needs_csrf_check(request):
            return protected(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def graphql_view(schema: Any) -> View:
    """The GraphQL endpoint for ``schema``, with GraphiQL for browsers that open it: the
    package's drop-in GraphQLView that parses and validates each document once (it keeps
    the CSRF cookie GraphiQL sends back)."""
    return csrf_for_forgeable_requests(CachedGraphQLView.as_view(schema=schema, graphiql=True))
