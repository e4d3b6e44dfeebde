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

It also answers 400 to two kinds of body that graphene-django 3's GraphQLView does not catch
and turns into a 500: an ``application/graphql`` body that is not UTF-8, and JSON nested
deeper than Python's recursion limit (in the body or in the variables). See
``refuse_unparsable_bodies``; the docs' "Known upstream behaviour" shows it for any project.

And it bounds the work one request can cause (``refuse_oversized_documents``): a body over
MAX_BODY_BYTES is refused before it is read (413), a document of more than MAX_TOKENS tokens
before it is parsed (400), both in GraphQL's error shape. graphene-django parses, validates
and executes every field of a document, so without these a document of 20,000 aliases keeps a
worker busy for longer than gunicorn's timeout. The docs' security page ("Bounded work per
request") has the figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from graphene_django.views import GraphQLView
from graphql import GraphQLError, Lexer, Source, TokenKind
from graphql_jwt.settings import jwt_settings

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


# No GraphQL request nests anywhere near this deep; Python's recursion limit is 1,000.
MAX_JSON_DEPTH = 64


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether decoded JSON nests arrays and objects more than ``limit`` deep: a loop, not
    recursion, so the check cannot run out of stack itself."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict | list):
            if depth > limit:
                return True
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, depth + 1) for child in children)
    return False


def unparsable_body_problem(request: HttpRequest) -> str | None:
    """Why graphene-django would crash on this request's body, or None."""
    if request.method != "POST":
        return None
    if request.content_type == "application/graphql":
        try:
            request.body.decode("utf-8")
        except UnicodeDecodeError:
            return "The request body is not valid UTF-8."
    elif request.content_type == "application/json":
        try:
            decoded = json.loads(request.body)
        except RecursionError:
            return f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted."
        except ValueError:
            return None  # graphene-django answers malformed JSON with a 400 itself
        if nested_deeper_than(decoded, MAX_JSON_DEPTH):
            return f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted."
    return None


def refuse_unparsable_bodies(view: View) -> View:
    """``view`` answering 400, in GraphQL's error shape, the bodies graphene-django 3 turns
    into a 500 (a non-UTF-8 application/graphql body, JSON nested past the recursion limit)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = unparsable_body_problem(request)
        if problem:
            return JsonResponse({"errors": [{"message": problem}]}, status=400)
        return view(request, *args, **kwargs)

    return wrapper


# The largest body and document the endpoints accept. GraphiQL's introspection query is about
# 300 tokens and the front end's largest about 30; 2,000 tokens allow some 180 aliased fields.
MAX_BODY_BYTES = 100_000
MAX_TOKENS = 2_000


def more_tokens_than(query: str, limit: int) -> bool:
    """Whether ``query`` has more than ``limit`` tokens, found by lexing at most limit + 1 of
    them (graphql-core's public Lexer): no parse, no syntax tree. A document that does not
    lex is left to GraphQLView, which answers its syntax error."""
    lexer = Lexer(Source(query))
    try:
        for _ in range(limit + 1):
            if lexer.advance().kind == TokenKind.EOF:
                return False
    except GraphQLError:
        return False
    return True


def queries_of(request: HttpRequest) -> list[str]:
    """The GraphQL documents a request carries, where GraphQLView looks for them: the query
    string, a JSON body (one request, or a batch's list), an application/graphql body, a form."""
    found: list[Any] = [request.GET.get("query")]
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except (ValueError, RecursionError):
                body = None  # GraphQLView or refuse_unparsable_bodies answers it
            for entry in body if isinstance(body, list) else [body]:
                if isinstance(entry, dict):
                    found.append(entry.get("query"))
        elif request.content_type == "application/graphql":
            found.append(request.body.decode("utf-8", "replace"))
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            found.append(request.POST.get("query"))
    return [query for query in found if isinstance(query, str)]


def oversized_request_problem(request: HttpRequest) -> tuple[int, str] | None:
    """The status and message refusing a request too large to be worth parsing, or None."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES or (declared == 0 and len(request.body) > MAX_BODY_BYTES):
        return 413, f"Request bodies over {MAX_BODY_BYTES:,} bytes are not accepted."
    if any(more_tokens_than(query, MAX_TOKENS) for query in queries_of(request)):
        return 400, f"GraphQL documents of more than {MAX_TOKENS:,} tokens are not accepted."
    return None


def refuse_oversized_documents(view: View) -> View:
    """``view`` refusing, in GraphQL's error shape, a body over MAX_BODY_BYTES before it is read
    and a document over MAX_TOKENS tokens before it is parsed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = oversized_request_problem(request)
        if problem:
            status, message = problem
            return JsonResponse({"errors": [{"message": message}]}, status=status)
        return view(request, *args, **kwargs)

    return wrapper


def graphql_view(schema: Any) -> View:
    """The GraphQL endpoint for ``schema``: graphene-django's GraphQLView, with GraphiQL for
    browsers that open it, CSRF for forgeable requests, and the body checks above."""
    view = GraphQLView.as_view(schema=schema, graphiql=True)
    return csrf_for_forgeable_requests(refuse_oversized_documents(refuse_unparsable_bodies(view)))
