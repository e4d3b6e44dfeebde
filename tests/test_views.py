"""CachedGraphQLView over HTTP: every answer is the one graphene-django's GraphQLView gives,
and a repeated valid document is parsed and validated once. The exception: bodies GraphQLView
cannot decode (it answers 500) get a clean 400.

Each check posts the same request to both views, mounted side by side by this module's own
URLconf, and compares status and body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import graphene
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from graphene_django import views as graphene_views
from graphene_django.constants import MUTATION_ERRORS_FLAG
from graphene_django.views import GraphQLView
from graphql import ExecutionContext
from graphql import parse as real_parse
from graphql import validate as real_validate
from graphql.validation import NoSchemaIntrospectionCustomRule

from graphql_passwordreset import services, views
from graphql_passwordreset.views import (
    DOCUMENT_CACHE_SIZE,
    MAX_CACHED_CHARACTERS,
    MAX_CACHED_DOCUMENT_LENGTH,
    MAX_JSON_DEPTH,
    CachedGraphQLView,
)

from .conftest import CapturedTokens, email_of, post_committed, user_fields
from .leaks import LEAK_MARKERS
from .schema import Query, relay_schema, schema


class FlaggingMutation(graphene.Mutation):
    """Creates a user, then flags the request as failed, as graphene-django's form and
    serializer mutations do on errors: under ATOMIC_MUTATIONS the user must not remain."""

    ok = graphene.Boolean()

    class Arguments:
        username = graphene.String(required=True)

    @classmethod
    def mutate(cls, root: Any, info: graphene.ResolveInfo, username: str) -> Any:
        names = user_fields()
        get_user_model().objects.create(
            **{names["username"]: username, names["email"]: f"{username}@example.com"}
        )
        setattr(info.context, MUTATION_ERRORS_FLAG, True)
        return cls(ok=False)


class FlagMutation(graphene.ObjectType):
    flagging = FlaggingMutation.Field()


class CountingContext(ExecutionContext):
    """An execution context that counts how often a view used it."""

    built = 0

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        CountingContext.built += 1
        return super().build(*args, **kwargs)


class BrokenQuery(graphene.ObjectType):
    hidden = graphene.String(name="__hidden")  # reserved by introspection: an invalid schema


flag_schema = graphene.Schema(query=Query, mutation=FlagMutation)
broken_schema = graphene.Schema(query=BrokenQuery)

urlpatterns = [
    path("plain", GraphQLView.as_view(schema=schema)),
    path("cached", CachedGraphQLView.as_view(schema=schema)),
    path("cached-relay", CachedGraphQLView.as_view(schema=relay_schema)),
    path(
        "plain-no-introspection",
        GraphQLView.as_view(schema=schema, validation_rules=[NoSchemaIntrospectionCustomRule]),
    ),
    path("plain-flag", GraphQLView.as_view(schema=flag_schema)),
    path("cached-flag", CachedGraphQLView.as_view(schema=flag_schema)),
    path("plain-broken", GraphQLView.as_view(schema=broken_schema)),
    path("cached-broken", CachedGraphQLView.as_view(schema=broken_schema)),
    path(
        "plain-context", GraphQLView.as_view(schema=schema, execution_context_class=CountingContext)
    ),
    path(
        "cached-context",
        CachedGraphQLView.as_view(schema=schema, execution_context_class=CountingContext),
    ),
    path("cached-no-cookie", CachedGraphQLView.as_view(schema=schema, csrf_cookie=False)),
    path(
        "cached-no-cookie-graphiql",
        CachedGraphQLView.as_view(schema=schema, csrf_cookie=False, graphiql=True),
    ),
    path(
        "cached-no-introspection",
        CachedGraphQLView.as_view(
            schema=schema, validation_rules=[NoSchemaIntrospectionCustomRule]
        ),
    ),
]

pytestmark = [pytest.mark.urls("tests.test_views"), pytest.mark.django_db]

REQUEST = (
    "mutation($email: String!) { requestPasswordReset(email: $email) { ok errors { field code } } }"
)
VALIDATE = "query($token: String!) { validateResetToken(token: $token) { valid errors { code } } }"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    views.document_cache.clear()
    yield
    views.document_cache.clear()


def post(client: Client, url: str, body: Any, method: str = "post") -> tuple[int, Any]:
    if method == "get":
        response = client.get(url, body, HTTP_ACCEPT="application/json")
    else:
        data = body if isinstance(body, str) else json.dumps(body)
        response = post_committed(client, url, data, content_type="application/json")
    return response.status_code, json.loads(response.content)


def both(
    client: Client, body: Any, method: str = "post", twice: bool = True, suffix: str = ""
) -> tuple[int, Any]:
    """The answer of the plain view, after checking the cached view gives the same one (on a
    first and, with ``twice``, a repeated request)."""
    expected = post(client, f"/plain{suffix}", body, method)
    assert post(client, f"/cached{suffix}", body, method) == expected
    if twice:
        assert post(client, f"/cached{suffix}", body, method) == expected
    return expected


def test_a_valid_query_is_answered_alike(client: Client) -> None:
    assert both(client, {"query": "{ ping }"}) == (200, {"data": {"ping": "pong"}})


def test_a_mutation_is_answered_alike_and_really_runs(
    client: Client, user: Any, captured: CapturedTokens
) -> None:
    body = {"query": REQUEST, "variables": {"email": email_of(user)}}
    status, answer = both(client, body)
    assert (status, answer) == (
        200,
        {"data": {"requestPasswordReset": {"ok": True, "errors": []}}},
    )
    assert len(captured.calls) == 3  # once per request: the cached view executes every time


def test_a_live_token_validates_through_the_cached_view(
    client: Client, user: Any, captured: CapturedTokens
) -> None:
    post(client, "/cached", {"query": REQUEST, "variables": {"email": email_of(user)}})
    key = captured.last_key
    assert both(client, {"query": VALIDATE, "variables": {"token": key}}) == (
        200,
        {"data": {"validateResetToken": {"valid": True, "errors": []}}},
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"query": "{ ping "}, id="syntax error"),
        pytest.param({"query": "{ nope }"}, id="unknown field"),
        pytest.param(
            {
                "query": "query($t: String!) { validateResetToken(token: $t) { valid } }",
                "variables": {},
            },
            id="missing variable",
        ),
        pytest.param({"query": VALIDATE, "variables": {"token": 5}}, id="variable of wrong type"),
        pytest.param({"query": "query A { ping } query B { ping }"}, id="two operations, no name"),
        pytest.param(
            {"query": "query A { ping } query B { ping }", "operationName": "C"},
            id="unknown operation name",
        ),
        pytest.param({"query": ""}, id="empty query"),
        pytest.param({"variables": {}}, id="no query"),
        pytest.param({"query": ["{ ping }"]}, id="query not a string"),
        pytest.param("not json", id="invalid JSON"),
        pytest.param("5", id="JSON number"),
        pytest.param("null", id="JSON null"),
        pytest.param('"{ ping }"', id="JSON string"),
        pytest.param('[{"query": "{ ping }"}]', id="JSON list"),
        pytest.param("[]", id="empty JSON list"),
    ],
)
def test_errors_are_reported_alike(client: Client, body: Any) -> None:
    status, answer = both(client, body)
    assert status == 400 and answer["errors"], answer


def test_an_operation_is_chosen_by_name_alike(client: Client) -> None:
    body = {"query": "query A { ping } query B { b: ping }", "operationName": "B"}
    assert both(client, body) == (200, {"data": {"b": "pong"}})


def test_get_runs_queries_and_refuses_mutations_alike(client: Client) -> None:
    assert both(client, {"query": "{ ping }"}, method="get") == (200, {"data": {"ping": "pong"}})
    body = {"query": REQUEST, "variables": json.dumps({"email": "a@example.com"})}
    status, answer = both(client, body, method="get")
    assert status == 405 and "POST" in answer["errors"][0]["message"], answer


def test_a_resolver_failure_is_reported_alike_with_its_location(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "validate_reset_token", explode)
    status, answer = both(client, {"query": VALIDATE, "variables": {"token": "x"}})
    assert status == 200 and answer["data"] == {"validateResetToken": None}
    (error,) = answer["errors"]
    assert error["path"] == ["validateResetToken"] and error["locations"], error
    assert "fire" not in error["message"]


def test_a_repeated_document_is_parsed_and_validated_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"parse": 0, "validate": 0}

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        calls["parse"] += 1
        return real_parse(*args, **kwargs)

    def counting_validate(*args: Any, **kwargs: Any) -> Any:
        calls["validate"] += 1
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(views, "parse", counting_parse)
    monkeypatch.setattr(views, "validate", counting_validate)
    for token in ("a", "b", "c"):
        status, _ = post(client, "/cached", {"query": VALIDATE, "variables": {"token": token}})
        assert status == 200
    assert calls == {"parse": 1, "validate": 1}


def test_a_verdict_belongs_to_its_schema(client: Client) -> None:
    """A document valid against one schema is still refused by a view on another."""
    document = 'mutation { requestPasswordReset(email: "a@example.com") { ok } }'
    assert post(client, "/cached", {"query": document})[0] == 200
    status, answer = post(client, "/cached-relay", {"query": document})
    messages = [error["message"] for error in answer["errors"]]
    assert status == 400 and any("Unknown argument 'email'" in m for m in messages), answer


def test_a_verdict_belongs_to_its_validation_rules(client: Client) -> None:
    body = {"query": "{ __schema { queryType { name } } }"}
    assert post(client, "/cached", body) == (
        200,
        {"data": {"__schema": {"queryType": {"name": "Query"}}}},
    )
    expected = post(client, "/plain-no-introspection", body)
    assert expected[0] == 400
    assert post(client, "/cached-no-introspection", body) == expected


def test_the_cache_is_bounded_in_entries(client: Client) -> None:
    for i in range(DOCUMENT_CACHE_SIZE + 20):
        assert post(client, "/cached", {"query": f"query Q{i} {{ ping }}"})[0] == 200
    assert len(views.document_cache) == DOCUMENT_CACHE_SIZE


def test_the_cache_is_bounded_in_total_length(client: Client) -> None:
    """Long documents push each other out long before the entry limit."""
    padding = " " * (MAX_CACHED_DOCUMENT_LENGTH - 100)
    count = MAX_CACHED_CHARACTERS // MAX_CACHED_DOCUMENT_LENGTH + 5
    for i in range(count):
        body = {"query": f"query Q{i} {{ ping }}{padding}"}
        assert post(client, "/cached", body) == (200, {"data": {"ping": "pong"}})
    assert views.document_cache.characters <= MAX_CACHED_CHARACTERS
    assert len(views.document_cache) < count


def test_a_long_document_is_answered_but_not_remembered(client: Client) -> None:
    padding = " " * MAX_CACHED_DOCUMENT_LENGTH
    body = {"query": "{ ping }" + padding}
    assert both(client, body) == (200, {"data": {"ping": "pong"}})
    assert len(views.document_cache) == 0


def test_the_least_recently_used_document_goes_first() -> None:
    cache = views.DocumentCache(max_entries=2, max_characters=100)
    cache.put("a", None, 10)
    cache.put("b", None, 10)
    cache.get("a")  # now "b" is the least recently used
    cache.put("c", None, 10)
    assert [cache.get(key) is views._MISSING for key in "abc"] == [False, True, False]
    cache.put("d", None, 95)  # over 100 characters until both "a" and "c" are gone
    assert [cache.get(key) is views._MISSING for key in "acd"] == [True, True, False]
    cache.put("d", None, 95)  # already there: nothing changes
    assert (len(cache), cache.characters) == (1, 95)


@pytest.mark.parametrize("switch", ["GRAPHENE setting", "database setting"])
def test_atomic_mutations_open_the_same_transactions(
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    user: Any,
    captured: CapturedTokens,
    switch: str,
) -> None:
    """graphene-django's ATOMIC_MUTATIONS wraps a mutation in a transaction: so does the
    cached view, and a query stays outside one."""
    if switch == "GRAPHENE setting":
        monkeypatch.setattr(graphene_views.graphene_settings, "ATOMIC_MUTATIONS", True)
    else:
        monkeypatch.setitem(connection.settings_dict, "ATOMIC_MUTATIONS", True)
    savepoints: dict[str, set[int]] = {}
    for url in ("/plain", "/cached", "/cached"):
        for name, body in (
            ("mutation", {"query": REQUEST, "variables": {"email": email_of(user)}}),
            ("query", {"query": "{ ping }"}),
        ):
            with CaptureQueriesContext(connection) as context:
                assert post(client, url, body)[0] == 200
            opened = sum(q["sql"].startswith("SAVEPOINT") for q in context.captured_queries)
            savepoints.setdefault(name, set()).add(opened)
    # The mutation's atomic block around the service's own: two, through either view (one
    # more for the request's own under ATOMIC_REQUESTS).
    base = 1 if connection.settings_dict.get("ATOMIC_REQUESTS") else 0
    assert savepoints == {"mutation": {base + 2}, "query": {base}}


def test_variables_that_are_not_an_object_are_refused_alike(client: Client) -> None:
    status, answer = both(client, {"query": VALIDATE, "variables": ["x"]})
    assert answer["errors"], answer


def test_an_invalid_schema_is_reported_alike(client: Client) -> None:
    status, answer = both(client, {"query": "{ __typename }"}, suffix="-broken")
    assert status == 400 and "reserved" in answer["errors"][0]["message"], answer


def test_the_execution_context_class_is_used_alike(client: Client) -> None:
    before = CountingContext.built
    assert both(client, {"query": "{ ping }"}, suffix="-context") == (
        200,
        {"data": {"ping": "pong"}},
    )
    assert CountingContext.built - before == 3  # the plain view once, the cached view twice


def test_a_flagged_mutation_is_rolled_back_alike(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graphene_views.graphene_settings, "ATOMIC_MUTATIONS", True)
    users = get_user_model().objects
    for url in ("/plain-flag", "/cached-flag", "/cached-flag"):
        body = {"query": 'mutation { flagging(username: "flagged") { ok } }'}
        assert post(client, url, body) == (200, {"data": {"flagging": {"ok": False}}})
        assert not users.filter(**{user_fields()["username"]: "flagged"}).exists(), url


# --- bodies graphene-django's own view answers with a 500 ----------------------------------


def nested(levels: int) -> str:
    """JSON lists ``levels`` deep."""
    return "[" * levels + "]" * levels


def clean_error(response: Any) -> str:
    """The message of a 400 in graphene-django's own error shape, after checking that the
    answer holds nothing else: no traceback, no path, no interpreter error text."""
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"] == "application/json"
    text = response.content.decode("utf-8")
    for marker in (*LEAK_MARKERS, "ecursion", "Error"):
        assert marker not in text, (marker, text[:500])
    answer = json.loads(text)
    assert list(answer) == ["errors"] and len(answer["errors"]) == 1, answer
    (error,) = answer["errors"]
    assert list(error) == ["message"] and isinstance(error["message"], str), answer
    return error["message"]  # type: ignore[no-any-return]


TOO_DEEP = "POST body is nested too deeply."


@pytest.mark.parametrize("url", ["/cached", "/cached-relay"])
@pytest.mark.parametrize(
    "body, content_type, message",
    [
        pytest.param(
            b"\xff{ ping }",
            "application/graphql",
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
            id="graphql-not-utf8",
        ),
        pytest.param(
            '{ validateResetToken(token: "\xe9") { valid } }'.encode("latin-1"),
            "application/graphql; charset=latin-1",
            "'utf-8' codec can't decode byte 0xe9 in position 29: invalid continuation byte",
            id="graphql-latin-1",
        ),
        pytest.param(nested(100_000).encode(), "application/json", TOO_DEEP, id="deep-json"),
        pytest.param(
            ('{"a": ' * 100_000 + "1" + "}" * 100_000).encode(),
            "application/json",
            TOO_DEEP,
            id="deep-json-object",
        ),
        pytest.param(
            f'{{"query": "{{ ping }}", "variables": {nested(5_000)}}}'.encode(),
            "application/json",
            TOO_DEEP,
            id="deep-json-variables",
        ),
        pytest.param(
            f'{{"query": "{{ ping }}", "variables": {{"token": {nested(900)}}}}}'.encode(),
            "application/json; charset=utf-8",
            TOO_DEEP,
            id="json-variables-within-the-interpreter-limit",
        ),
    ],
)
def test_bodies_graphene_django_crashes_on_are_client_errors(
    client: Client, url: str, body: bytes, content_type: str, message: str
) -> None:
    """graphene-django 3.2's GraphQLView lets UnicodeDecodeError and RecursionError escape
    its parse_body for these (HTTP 500); the client raises any exception the view lets out."""
    response = client.generic("POST", url, body, content_type=content_type)
    assert clean_error(response) == message


def test_json_is_answered_alike_up_to_the_depth_bound(client: Client) -> None:
    """The body object is one level, ``extensions`` the rest: exactly MAX_JSON_DEPTH is
    answered as GraphQLView answers it, one level more is refused by the cached view only."""
    at_bound = {"query": "{ ping }", "extensions": json.loads(nested(MAX_JSON_DEPTH - 1))}
    assert both(client, at_bound) == (200, {"data": {"ping": "pong"}})
    beyond = {"query": "{ ping }", "extensions": json.loads(nested(MAX_JSON_DEPTH))}
    assert post(client, "/plain", beyond) == (200, {"data": {"ping": "pong"}})
    response = client.post("/cached", beyond, content_type="application/json")
    assert clean_error(response) == TOO_DEEP


def test_variables_in_a_query_string_or_form_are_bounded_too(client: Client) -> None:
    """Variables sent as a JSON string (GET, form POST, or a string inside a JSON body) are
    decoded after parse_body: the same bound applies to them."""

    def token(levels: int) -> str:  # the variables object, then ``levels`` of lists
        return f'{{"token": {nested(levels)}}}'

    at_bound = {"query": VALIDATE, "variables": token(MAX_JSON_DEPTH - 1)}
    status, answer = both(client, at_bound, method="get")
    assert status == 400 and "got invalid value" in answer["errors"][0]["message"], answer
    beyond = {"query": VALIDATE, "variables": token(MAX_JSON_DEPTH)}
    for response in (
        client.get("/cached", beyond, HTTP_ACCEPT="application/json"),
        client.post("/cached", beyond),  # multipart/form-data
        client.post("/cached", beyond, content_type="application/json"),
    ):
        assert clean_error(response) == "Variables are nested too deeply."
    # Deeper than json.loads can go: GraphQLView already answers this one with a 400.
    status, answer = both(client, {"query": VALIDATE, "variables": nested(5_000)}, method="get")
    assert (status, answer) == (400, {"errors": [{"message": "Variables are invalid JSON."}]})


def test_json_in_another_charset_is_refused_alike(client: Client) -> None:
    body = '{"query": "{ validateResetToken(token: \\"\xe9\\") { valid } }"}'.encode("latin-1")
    responses = [
        client.generic("POST", url, body, content_type="application/json; charset=latin-1")
        for url in ("/plain", "/cached")
    ]
    assert responses[0].content == responses[1].content
    assert "can't decode byte 0xe9" in clean_error(responses[1])


def test_every_answer_sets_the_csrf_cookie_as_graphqlview_does(client: Client) -> None:
    for url in ("/plain", "/cached"):
        response = client.post(url, {"query": "{ ping }"}, content_type="application/json")
        assert response.status_code == 200
        assert "csrftoken" in response.cookies, url


@pytest.mark.parametrize("body", [{"query": "{ ping }"}, {"query": "{ nope }"}, {"query": ""}])
def test_csrf_cookie_false_answers_alike_without_the_cookie(client: Client, body: Any) -> None:
    expected = post(client, "/plain", body)
    for _ in range(2):  # a first and a cached verdict
        response = post_committed(
            client, "/cached-no-cookie", json.dumps(body), content_type="application/json"
        )
        assert (response.status_code, json.loads(response.content)) == expected
        assert "csrftoken" not in response.cookies
        assert "Set-Cookie" not in response.headers


def test_csrf_cookie_false_still_gives_graphiql_its_cookie() -> None:
    """GraphiQL sends the cookie back in X-CSRFToken: its page must still set it, and CSRF
    stays enforced on the API itself (the option only stops handing the cookie out)."""
    browser = Client(enforce_csrf_checks=True)
    url = "/cached-no-cookie-graphiql"
    page = browser.get(url, HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"graphiql" in page.content.lower()
    cookie = page.cookies["csrftoken"].value
    query = json.dumps({"query": "{ ping }"})
    without = browser.post(url, query, content_type="application/json", HTTP_X_CSRFTOKEN="x")
    assert without.status_code == 403
    answer = browser.post(url, query, content_type="application/json", HTTP_X_CSRFTOKEN=cookie)
    assert (answer.status_code, json.loads(answer.content)) == (200, {"data": {"ping": "pong"}})
