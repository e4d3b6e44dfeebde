"""requestPasswordReset with bad input, on the plain and the Relay schema: every malformed
value, wrongly typed variable or broken document gets a clear answer (INVALID_EMAIL in
`errors`, or a GraphQL/HTTP error), never a 500, never a traceback in the body, and never a
token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from graphql_passwordreset.models import ResetPasswordToken

from .conftest import GraphQLClient, user_fields
from .conftest import assert_no_leak as assert_no_crash
from .test_request import OK, assert_error, configure, post_request

pytestmark = pytest.mark.django_db

MISSING = object()


def assert_graphql_error(response: Any, statuses: tuple[int, ...] = (200, 400)) -> None:
    """Refused by GraphQL itself: a top-level error with a message, and no payload."""
    body = assert_no_crash(response)
    assert response.status_code in statuses
    assert body["errors"] and all(error["message"] for error in body["errors"])
    assert not (body.get("data") or {}).get("requestPasswordReset")


def assert_nothing_created(captured: Any) -> None:
    assert not ResetPasswordToken.objects.exists()
    assert captured.calls == []


# --- malformed addresses -------------------------------------------------------------------

MALFORMED_ADDRESSES = [
    "",
    " ",
    "\t\n ",
    "not-an-address",
    "alice@",
    "@example.com",
    "alice@@example.com",
    "alice example.com",
    "alice@example..com",
    "alice@example.com, bob@example.com",
    "alice@example.com\nBcc: mallory@example.com",  # header injection
    "a" * 10_000,
    "a" * 10_000 + "@example.com",
    "alice@example.com" + "m" * 10_000,
    "alice\x00@example.com",
    "\x00",
    "alice@example.com\x00mallory@example.com",
    "ünï cødé@example.com",  # a non-ASCII local part is taken, white space in it is not
    "алиса\u202e@example.com",  # nor an invisible format character
    "\ud800@example.com",  # a lone surrogate, which JSON can carry
    "alice@\ud800.com",
]


@pytest.mark.parametrize("value", MALFORMED_ADDRESSES)
def test_malformed_address_is_invalid_email(
    gql: GraphQLClient, user: Any, captured: Any, value: str
) -> None:
    response = post_request(gql, value)
    body = assert_no_crash(response)
    assert response.status_code == 200
    assert "errors" not in body
    assert_error(body["data"]["requestPasswordReset"], "INVALID_EMAIL", "email")
    assert_nothing_created(captured)


def test_invalid_email_is_checked_before_the_redirect_url(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    result = post_request(gql, "not-an-address", "https://evil.com/").json()
    assert_error(result["data"]["requestPasswordReset"], "INVALID_EMAIL", "email")
    assert_nothing_created(captured)


def test_address_on_an_international_domain_is_valid(
    gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    assert (
        post_request(gql, "nobody@exämple.com").json()["data"]["requestPasswordReset"]["ok"] is True
    )
    assert captured.calls == []
    owner = make_user("alice@exämple.com")
    post_request(gql, "alice@exämple.com")
    assert [call["reset_password_token"].user.pk for call in captured.calls] == [owner.pk]


@pytest.mark.parametrize(
    "address", ["straße@example.com", "алиса@example.com", "ünïcødé@example.com"]
)
def test_a_stored_address_with_a_non_ascii_local_part_can_ask_for_a_reset(
    gql: GraphQLClient, make_user: Any, captured: Any, address: str
) -> None:
    """Django's EmailValidator takes an ASCII local part only, yet such addresses are stored:
    the form is checked loosely, the lookup stays strict."""
    owner = make_user(address)
    make_user("alice@example.com")
    assert post_request(gql, address).json()["data"]["requestPasswordReset"]["ok"] is True
    assert [call["reset_password_token"].user.pk for call in captured.calls] == [owner.pk]
    captured.calls.clear()
    assert post_request(gql, "nobody" + address).json()["data"]["requestPasswordReset"]["ok"]
    assert captured.calls == []


# --- a lookup field that is not an e-mail field ---------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "no such name",
        "'; DROP TABLE auth_user; --",
        "a" * 10_000,
        "x\x00y",
        "\ud800",
        "ünïcødé",
    ],
)
def test_username_lookup_takes_any_non_empty_string_without_error(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any, value: str
) -> None:
    configure(settings, LOOKUP_FIELD=user_fields()["username"])
    response = post_request(gql, value)
    body = assert_no_crash(response)
    assert response.status_code == 200
    assert "errors" not in body
    result = body["data"]["requestPasswordReset"]
    result.pop("clientMutationId", None)
    assert result == OK  # the answer for any unknown account
    assert_nothing_created(captured)


@pytest.mark.parametrize("value", ["", "   "])
def test_username_lookup_still_needs_a_value(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any, value: str
) -> None:
    configure(settings, LOOKUP_FIELD=user_fields()["username"])
    result = post_request(gql, value).json()["data"]["requestPasswordReset"]
    assert_error(result, "INVALID_EMAIL", "email")
    assert_nothing_created(captured)


# --- wrongly typed variables ---------------------------------------------------------------


def post_variables(gql: GraphQLClient, **values: Any) -> Any:
    """Send ``values`` as the operation's variables, whatever their JSON type."""
    if gql.relay:
        query = (
            "mutation($input: RequestPasswordResetInput!) "
            "{ requestPasswordReset(input: $input) { ok errors { code } } }"
        )
        return gql.post(query, {"input": {**values, "clientMutationId": "cid-1"}})
    query = (
        "mutation($email: String!, $redirectUrl: String) "
        "{ requestPasswordReset(email: $email, redirectUrl: $redirectUrl) { ok errors { code } } }"
    )
    return gql.post(query, values)


@pytest.mark.parametrize(
    "values",
    [
        {"email": 42},
        {"email": 4.2},
        {"email": True},
        {"email": ["alice@example.com"]},
        {"email": {"address": "alice@example.com"}},
        {"email": None},
        {},
        {"email": "alice@example.com", "redirectUrl": 42},
        {"email": "alice@example.com", "redirectUrl": ["https://app.example.com/"]},
    ],
    ids=[
        "number",
        "float",
        "boolean",
        "list",
        "object",
        "null",
        "missing",
        "redirect-number",
        "redirect-list",
    ],
)
def test_wrongly_typed_variable_is_a_coercion_error(
    gql: GraphQLClient, user: Any, captured: Any, values: dict[str, Any]
) -> None:
    assert_graphql_error(post_variables(gql, **values))
    assert_nothing_created(captured)


def test_relay_input_given_as_null_or_a_string_is_a_coercion_error(
    client: Client, user: Any, captured: Any
) -> None:
    relay = GraphQLClient(client, "/graphql-relay", relay=True)
    query = (
        "mutation($input: RequestPasswordResetInput!) "
        "{ requestPasswordReset(input: $input) { ok } }"
    )
    assert_graphql_error(relay.post(query, {"input": None}))
    assert_graphql_error(relay.post(query, {"input": "alice@example.com"}))
    assert_nothing_created(captured)


# --- malformed documents -------------------------------------------------------------------

PLAIN_DOCUMENTS = {
    "missing-email": "mutation { requestPasswordReset { ok } }",
    "email-literal-number": "mutation { requestPasswordReset(email: 42) { ok } }",
    "email-literal-null": "mutation { requestPasswordReset(email: null) { ok } }",
    "syntax-error": 'mutation { requestPasswordReset(email: "alice@example.com" { ok } }',
    "unclosed-string": 'mutation { requestPasswordReset(email: "alice@example.com) { ok } }',
    "unknown-field": 'mutation { requestPasswordReset(email: "alice@example.com") { ok nope } }',
    "unknown-mutation": "mutation { resetEverything { ok } }",
    "unknown-argument": (
        'mutation { requestPasswordReset(email: "alice@example.com", admin: true) { ok } }'
    ),
    "no-selection": 'mutation { requestPasswordReset(email: "alice@example.com") }',
    "undeclared-variable": "mutation { requestPasswordReset(email: $email) { ok } }",
    "empty": "",
    "not-graphql": "<html></html>",
}

RELAY_DOCUMENTS = {
    "missing-input": "mutation { requestPasswordReset { ok } }",
    "missing-email": "mutation { requestPasswordReset(input: {}) { ok } }",
    "email-literal-number": "mutation { requestPasswordReset(input: {email: 42}) { ok } }",
    "plain-arguments": 'mutation { requestPasswordReset(email: "alice@example.com") { ok } }',
    "unknown-input-field": (
        'mutation { requestPasswordReset(input: {email: "alice@example.com", admin: true}) { ok } }'
    ),
    "syntax-error": 'mutation { requestPasswordReset(input: {email: "alice@example.com") { ok } }',
}


@pytest.mark.parametrize("name", PLAIN_DOCUMENTS)
def test_malformed_document_on_the_plain_schema_is_a_graphql_error(
    plain_gql: GraphQLClient, user: Any, captured: Any, name: str
) -> None:
    assert_graphql_error(plain_gql.post(PLAIN_DOCUMENTS[name]), statuses=(400,))
    assert_nothing_created(captured)


@pytest.mark.parametrize("name", RELAY_DOCUMENTS)
def test_malformed_document_on_the_relay_schema_is_a_graphql_error(
    client: Client, user: Any, captured: Any, name: str
) -> None:
    relay = GraphQLClient(client, "/graphql-relay", relay=True)
    assert_graphql_error(relay.post(RELAY_DOCUMENTS[name]), statuses=(400,))
    assert_nothing_created(captured)


# --- malformed HTTP requests ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00",  # not UTF-8
        b"[]",  # a batch, which the view does not take
        b'"alice@example.com"',
        b'{"query": 42}',
        b'{"query": null}',
        b'{"query": "mutation { requestPasswordReset(email: \\"alice@example.com\\") { ok } }", '
        b'"variables": "not json"}',
        b'{"query": "mutation { requestPasswordReset(email: \\"alice@example.com\\") { ok } }", '
        b'"operationName": "Nope"}',
    ],
    ids=[
        "broken-json",
        "empty",
        "not-utf8",
        "batch",
        "json-string",
        "query-number",
        "query-null",
        "variables-not-json",
        "unknown-operation",
    ],
)
def test_malformed_body_is_a_client_error(
    gql: GraphQLClient, user: Any, captured: Any, body: bytes
) -> None:
    response = gql.client.post(gql.path, body, content_type="application/json")
    assert_graphql_error(response, statuses=(400,))
    assert_nothing_created(captured)


def test_get_with_a_mutation_is_refused(gql: GraphQLClient, user: Any, captured: Any) -> None:
    query = 'mutation { requestPasswordReset(email: "alice@example.com") { ok } }'
    if gql.relay:
        query = (
            "mutation { requestPasswordReset(input: "
            '{email: "alice@example.com", clientMutationId: "c"}) { ok } }'
        )
    response = gql.client.get(gql.path, {"query": query}, HTTP_ACCEPT="application/json")
    assert_graphql_error(response, statuses=(405,))
    assert_nothing_created(captured)


def test_bad_input_answer_is_the_same_json_shape_for_a_valid_request(
    gql: GraphQLClient, user: Any
) -> None:
    # Clients parse one shape: {"data": {"requestPasswordReset": {ok, errors[...]}}}.
    good = post_request(gql, "alice@example.com").json()
    bad = post_request(gql, "not-an-address").json()
    assert set(good) == set(bad) == {"data"}
    assert set(good["data"]["requestPasswordReset"]) == set(bad["data"]["requestPasswordReset"])
