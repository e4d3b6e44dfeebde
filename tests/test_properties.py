"""Property-based tests: Hypothesis throws arbitrary and hostile input at the three operations
over HTTP, on the plain and the Relay schema (graphene-django's GraphQLView), and checks what
must hold for every input: no server error, nothing internal in the answer, and no state
change (a token created, a password set) unless the answer reports one.

The specific bad inputs live in test_request_inputs.py and its siblings; these are generic.
Malformed documents, wrongly typed variables and bodies that are not GraphQL requests are
refused by graphql-core and graphene-django before any resolver runs, so they are not drawn
here (the two bodies graphene-django crashes on are pinned at the end).
Examples per test come from a Hypothesis profile: HYPOTHESIS_PROFILE=ci (the default, 100) or
HYPOTHESIS_PROFILE=thorough (1000).
"""

from __future__ import annotations

import json
import logging
import os
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes, urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from graphql_passwordreset.mixins import UNEXPECTED_ERROR_MESSAGE
from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.signals import reset_password_token_created
from graphql_passwordreset.tokens import get_token_generator

from .conftest import PASSWORD, user_fields
from .leaks import LEAK_MARKERS

pytestmark = pytest.mark.django_db

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    print_blob=True,
    # Huge strings are the point of some strategies, and every example is an HTTP request.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=1000)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# graphene-django's GraphQLView on the plain and the Relay schema (tests/urls.py).
ENDPOINTS = pytest.mark.parametrize("path", ["/graphql", "/graphql-relay"], ids=["plain", "relay"])

ALICE = "alice@example.com"  # has a live token at the start of every example
BOB = "bob@example.com"  # has none
ALLOWED_HOST = "app.example.com"
STRONG_PASSWORDS = st.from_regex(r"\A[A-Za-z]{5}-[A-Za-z]{5}-[0-9]{3}\Z")
OMIT = object()  # an optional argument left out of the request
# The README's input bounds (Security notes, "Input bounds").
MAX_ADDRESS, MAX_PASSWORD, MAX_URL = 320, 4096, 2048


# --- strategies ----------------------------------------------------------------------------

# Every code point: controls, NUL, private use, unassigned, and lone surrogates (which JSON
# carries as \udXXX escapes).
ANY_CHARACTER = st.characters(exclude_categories=())
short_text = st.text(ANY_CHARACTER, max_size=40)


def _repeat(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


def _insert(text: str, where: int, insert: str) -> str:
    where %= len(text) + 1
    return text[:where] + insert + text[where:]


# Built by repetition: Hypothesis cannot draw 100,000 characters one by one.
huge_text = st.builds(
    _repeat, st.text(ANY_CHARACTER, min_size=1, max_size=8), st.integers(1_000, 100_000)
)
nul_text = st.builds(_insert, short_text, st.integers(0, 40), st.just("\x00"))
surrogate_text = st.builds(
    _insert, short_text, st.integers(0, 40), st.characters(categories=["Cs"])
)
SPECIAL_STRINGS = [
    "",
    " ",
    "\t\r\n",
    "null",
    "undefined",
    "' OR '1'='1' --",
    "%00",
    "\\u0000",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "${jndi:ldap://127.0.0.1/a}",
    "../../../../etc/passwd",
    "\u202eevil",
    "\ufeff",
    "ａｌｉｃｅ@example.com",  # fullwidth: the same address after NFKC
    "alice@example.com\x00",
    "alice@example.com\nBcc: mallory@example.com",
    "alice@exa\ud800mple.com",
    "mıke@example.org",
]
hostile_text = st.one_of(
    short_text, huge_text, nul_text, surrogate_text, st.sampled_from(SPECIAL_STRINGS)
)


def _variants(address: str) -> list[str]:
    return [address, address.upper(), f"  {address}\t", address.title()]


@dataclass(frozen=True)
class Choice:
    """A drawn argument value, and whether the server must accept it (None: no promise)."""

    value: Any
    accepted: bool | None = None


email_choices = st.one_of(
    hostile_text.map(Choice),
    st.emails().map(Choice),
    st.sampled_from(_variants(ALICE) + _variants(BOB)).map(lambda v: Choice(v, True)),
)
# The optional ``email`` of validate and confirm: does it admit alice's token?
admitting_scopes = st.sampled_from([OMIT, None, "", "   ", *_variants(ALICE)]).map(
    lambda v: Choice(v, True)
)
scope_choices = st.one_of(
    admitting_scopes,
    st.sampled_from(_variants(BOB)).map(lambda v: Choice(v, False)),
    hostile_text.map(Choice),
)
redirect_choices = st.one_of(
    st.sampled_from([OMIT, None, ""]).map(lambda v: Choice(v, True)),
    st.from_regex(r"\A[A-Za-z0-9_-]{0,20}\Z")
    .map(lambda path: f"https://{ALLOWED_HOST}/{path}")
    .map(lambda v: Choice(v, True)),
    st.sampled_from(
        [
            f"http://{ALLOWED_HOST}/",  # http outside DEBUG
            f"https://user:pw@{ALLOWED_HOST}/",
            "https://evil.example/",
            f"//{ALLOWED_HOST}/",
            f"https://{ALLOWED_HOST}.evil.example/",
            "javascript:alert(1)",
        ]
    ).map(lambda v: Choice(v, False)),
    hostile_text.map(Choice),
)
password_choices = st.one_of(
    STRONG_PASSWORDS.map(lambda v: Choice(v, True)),
    st.sampled_from(["", "password", "12345678901", "alice", "x" * 4097]).map(
        lambda v: Choice(v, False)
    ),
    hostile_text.map(Choice),
)
client_ids = st.one_of(st.just(OMIT), st.none(), hostile_text)
KEY_VARIANTS: dict[str, Callable[[str], str]] = {
    "exact": lambda key: key,
    "upper": str.upper,
    "spaced": lambda key: f" {key} ",
    "truncated": lambda key: key[:-1],
    "extended": lambda key: key + "x",
    "nul": lambda key: key + "\x00",
    "doubled": lambda key: key * 2,
}
# ("key", variant) is resolved against the live key inside the test; ("text", value) is sent.
token_choices = st.one_of(
    st.tuples(st.just("key"), st.sampled_from(sorted(KEY_VARIANTS))),
    st.tuples(st.just("text"), hostile_text),
)
# A token and the email scoping it; half of them aimed at success (alice's key, admitted).
token_and_scope = st.one_of(
    st.tuples(st.just(("key", "exact")), admitting_scopes),
    st.tuples(token_choices, scope_choices),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    short_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(short_text, inner, max_size=4)
    ),
    max_leaves=12,
)
not_a_string = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(json_values, max_size=4),
    st.dictionaries(short_text, json_values, max_size=4),
)


# --- the world each example starts from ----------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The state an input could change: every token row and every password hash."""

    tokens: dict[Any, tuple[Any, str, int]]  # pk -> (user id, key digest, failed attempts)
    passwords: dict[Any, str]

    @classmethod
    def take(cls) -> Snapshot:
        rows = ResetPasswordToken.objects.values_list(
            "pk", "user_id", "key_digest", "failed_attempts"
        )
        users = get_user_model()._default_manager.values_list("pk", "password")
        return cls({pk: (user, digest, failed) for pk, user, digest, failed in rows}, dict(users))


class _ErrorRecords(logging.Handler):
    """Collects ERROR records: the package logs every unexpected exception it turns into the
    generic answer, and Django logs every 5xx."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class World:
    alice: Any
    bob: Any
    key: str  # alice's live token
    client: Client
    sent: list[dict[str, Any]] = field(default_factory=list)  # reset_password_token_created
    errors: _ErrorRecords = field(default_factory=_ErrorRecords)


def _user(username: str, address: str) -> Any:
    """The user, created once per test; its password is put back if an example changed it."""
    names = user_fields()
    manager = get_user_model()._default_manager
    user = manager.filter(**{names["username"]: username}).first()
    if user is None:
        user = get_user_model()(**{names["username"]: username, names["email"]: address})
    elif user.check_password(PASSWORD):
        return user
    user.set_password(PASSWORD)
    user.save()
    return user


@contextmanager
def world() -> Iterator[World]:
    """Fresh state for one example: no throttle counts, alice with one live token, bob
    without one, a redirect host the strategies can hit, and receivers that record."""
    cache.clear()
    ResetPasswordToken.objects.all().delete()
    alice, bob = _user("prop-alice", ALICE), _user("prop-bob", BOB)
    key = get_token_generator().generate_token()
    token = ResetPasswordToken(user=alice)
    token.set_key(key)
    token.save()
    state = World(alice, bob, key, Client())

    def receiver(**kwargs: Any) -> None:
        state.sent.append(kwargs)

    loggers = [logging.getLogger("graphql_passwordreset"), logging.getLogger("django.request")]
    config = {
        **getattr(django_settings, "GRAPHQL_PASSWORDRESET", {}),
        "ALLOWED_REDIRECT_HOSTS": [ALLOWED_HOST],
    }
    reset_password_token_created.connect(receiver, dispatch_uid="tests-properties")
    for logger in loggers:
        logger.addHandler(state.errors)
    try:
        with override_settings(GRAPHQL_PASSWORDRESET=config):
            yield state
    finally:
        for logger in loggers:
            logger.removeHandler(state.errors)
        reset_password_token_created.disconnect(dispatch_uid="tests-properties")


# --- sending and judging -------------------------------------------------------------------


def roundtrip(value: Any) -> Any:
    """The value as the server decodes it (JSON joins a surrogate pair into one character)."""
    return json.loads(json.dumps(value))


def fold(value: str) -> str:
    """How addresses compare: NFKC, casefolded, without surrounding white space."""
    return unicodedata.normalize("NFKC", value).casefold().strip()


def post_json(state: World, path: str, payload: Any, raw_utf8: bool = False) -> Any:
    """POST ``payload`` as JSON: \\u escapes, or raw UTF-8 when asked and possible."""
    try:
        body = json.dumps(payload, ensure_ascii=not raw_utf8).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form: send it escaped
        body = json.dumps(payload).encode("utf-8")
    return post_raw(state, path, body, "application/json")


def post_raw(state: World, path: str, body: bytes, content_type: str) -> Any:
    """POST ``body`` as is. Work deferred to commit (delivery) runs at the end of the request,
    as on a real server: the test's own transaction never commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = state.client.generic("POST", path, body, content_type=content_type)
    response.sent = body
    return response


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _decoded_texts(raw: bytes) -> list[str]:
    """``raw`` as text, and every string inside it when it is JSON (escapes resolved)."""
    text = raw.decode("utf-8", "replace")
    try:
        return [text, *_strings(json.loads(text))]
    except (ValueError, RecursionError):
        return [text]


def answer(state: World, response: Any) -> dict[str, Any]:
    """No server error, no crash logged, nothing internal in the answer, and a GraphQL answer
    (a JSON object) unless Django itself refused the request (a body it cannot parse)."""
    assert response.status_code < 500, response.content[:2000]
    assert not state.errors.records, [record.getMessage() for record in state.errors.records]
    sent = "\n".join(_decoded_texts(response.sent))
    received = "\n".join(_decoded_texts(response.content))
    for marker in (*LEAK_MARKERS, str(UNEXPECTED_ERROR_MESSAGE)):
        assert marker not in received or marker in sent, (marker, received[:2000])
    if not response["Content-Type"].startswith("application/json"):
        assert 400 <= response.status_code < 500, response.content[:2000]
        return {}
    body = json.loads(response.content.decode("utf-8"))
    assert isinstance(body, dict) and set(body) <= {"data", "errors"}, body
    assert body.get("data") is not None or body.get("errors"), body
    for error in body.get("errors", []):
        assert isinstance(error["message"], str) and error["message"], body
    return body


def _outcome(payload: dict[str, Any], flag: str) -> str:
    """For --hypothesis-show-statistics: how often each outcome was reached."""
    if payload[flag]:
        return flag
    return ",".join(sorted({str(error["code"]) for error in payload["errors"]}))


def _answer_kind(response: Any, body: dict[str, Any]) -> str:
    ran = [name for name, value in (body.get("data") or {}).items() if value is not None]
    return f"HTTP {response.status_code}" + (" ran " + ",".join(sorted(ran)) if ran else "")


def assert_errors(errors: list[dict[str, Any]], allowed: dict[str, str | None]) -> None:
    """Each payload error has an allowed code, the field that code belongs to, a message."""
    for error in errors:
        assert error["code"] in allowed, error
        assert error["field"] == allowed[error["code"]], error
        assert isinstance(error["message"], str) and error["message"], error


def payload_of(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The operation's payload of an answer that must have run it, without GraphQL errors."""
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][name]
    return payload


def assert_unchanged(state: World, before: Snapshot) -> None:
    assert Snapshot.take() == before
    assert state.sent == []


def changes_reported(body: dict[str, Any]) -> bool:
    """Could this answer have changed state? Only if an operation ran and did not report
    failure: some payload says ok, or does not say (its document did not select ``ok``)."""
    payloads = [value for value in (body.get("data") or {}).values() if isinstance(value, dict)]
    return any(payload.get("ok", True) is True for payload in payloads)


def assert_consistent(state: World, before: Snapshot, body: dict[str, Any]) -> None:
    """For any input at all: a token created or a password changed only with an answer that
    reports it, and a token created only for the user the receivers were told about."""
    after = Snapshot.take()
    created = after.tokens.keys() - before.tokens.keys()
    changed = {pk for pk, hashed in after.passwords.items() if before.passwords.get(pk) != hashed}
    if created or changed or state.sent:
        assert changes_reported(body), (body, created, changed)
    assert {after.tokens[pk][0] for pk in created} <= {
        call["reset_password_token"].user.pk for call in state.sent
    }
    assert after.passwords.keys() == before.passwords.keys()


def _out_of_bounds(value: Any, limit: int) -> bool:
    """Text the README's input bounds turn away: too long, a NUL, a lone surrogate."""
    if not isinstance(value, str):
        return False
    seen = roundtrip(value)
    try:
        seen.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return len(seen.strip()) > limit or "\x00" in seen


def _resolve_token(choice: tuple[str, Any], key: str) -> str:
    kind, value = choice
    return KEY_VARIANTS[value](key) if kind == "key" else str(value)


def _arguments(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not OMIT}


def _relay(path: str) -> bool:
    return path.endswith("relay")


# --- the documents -------------------------------------------------------------------------

REQUEST = {
    "plain": (
        "mutation Request($email: String!, $redirectUrl: String) {"
        " requestPasswordReset(email: $email, redirectUrl: $redirectUrl)"
        " { ok errors { field message code } } }"
    ),
    "relay": (
        "mutation Request($input: RequestPasswordResetInput!) {"
        " requestPasswordReset(input: $input)"
        " { ok errors { field message code } clientMutationId } }"
    ),
}
VALIDATE = (
    "query Validate($token: String!, $email: String) {"
    " validateResetToken(token: $token, email: $email)"
    " { valid errors { field message code } username email } }"
)
CONFIRM = {
    "plain": (
        "mutation Confirm($token: String!, $password: String!, $email: String) {"
        " confirmPasswordReset(token: $token, password: $password, email: $email)"
        " { ok errors { field message code } token refreshToken } }"
    ),
    "relay": (
        "mutation Confirm($input: ConfirmPasswordResetInput!) {"
        " confirmPasswordReset(input: $input)"
        " { ok errors { field message code } token refreshToken clientMutationId } }"
    ),
}
PASSWORD_CODES = [
    "PASSWORD_TOO_SHORT",
    "PASSWORD_TOO_COMMON",
    "PASSWORD_ENTIRELY_NUMERIC",
    "PASSWORD_TOO_SIMILAR",
    "PASSWORD_INVALID",
]


def _variables(path: str, arguments: dict[str, Any], client_id: Any) -> dict[str, Any]:
    if not _relay(path):
        return arguments
    return {"input": {**arguments, **_arguments(clientMutationId=client_id)}}


def _assert_echo(path: str, payload: dict[str, Any], client_id: Any) -> None:
    if _relay(path):
        expected = None if client_id is OMIT else roundtrip(client_id)
        assert payload["clientMutationId"] == expected


# --- any string, in every argument ---------------------------------------------------------


@ENDPOINTS
@PROFILE
@given(email=email_choices, redirect=redirect_choices, client_id=client_ids, raw=st.booleans())
def test_request_takes_any_strings(
    path: str, email: Choice, redirect: Choice, client_id: Any, raw: bool
) -> None:
    with world() as state:
        before = Snapshot.take()
        arguments = _arguments(email=email.value, redirectUrl=redirect.value)
        variables = _variables(path, arguments, client_id)
        query = REQUEST["relay" if _relay(path) else "plain"]
        body = answer(state, post_json(state, path, {"query": query, "variables": variables}, raw))
        payload = payload_of(body, "requestPasswordReset")
        event("request: " + _outcome(payload, "ok"))
        _assert_echo(path, payload, client_id)
        assert_errors(
            payload["errors"], {"INVALID_EMAIL": "email", "INVALID_REDIRECT_URL": "redirectUrl"}
        )
        after = Snapshot.take()
        created = after.tokens.keys() - before.tokens.keys()
        if email.accepted and redirect.accepted:
            assert payload["ok"] is True, payload
        if redirect.accepted is False or _out_of_bounds(email.value, MAX_ADDRESS):
            assert payload["ok"] is False, payload
        if redirect.value is not OMIT and _out_of_bounds(redirect.value, MAX_URL):
            assert payload["ok"] is False, payload
        if not payload["ok"]:
            assert payload["errors"], payload
            assert_unchanged(state, before)
            return
        assert payload["errors"] == []
        address = fold(roundtrip(email.value))
        owners = {user.pk for user in (state.alice, state.bob) if fold(_address(user)) == address}
        # Tokens only for the users with this address, each replacing that user's old one.
        assert {after.tokens[pk][0] for pk in created} <= owners
        for pk, row in before.tokens.items():
            if row[0] not in owners:
                assert after.tokens.get(pk) == row
        if email.accepted:
            assert len(created) == 1 and {after.tokens[pk][0] for pk in created} == owners
        assert after.passwords == before.passwords
        assert len(state.sent) == len(created)
        sent_redirect = roundtrip(redirect.value) if redirect.value is not OMIT else None
        for call in state.sent:
            if sent_redirect:
                parts = urlsplit(call["reset_url"])
                assert (parts.scheme, parts.hostname) == ("https", ALLOWED_HOST)
                assert parts.username is None and parts.password is None
            else:
                assert call["reset_url"] is None  # the test settings have no RESET_URL


def _address(user: Any) -> str:
    return str(getattr(user, user.get_email_field_name()))


def _scoped_to_alice(email: Any, state: World) -> bool | None:
    """Is the token scoped to alice (True), to someone else (False), or not scoped (None)?"""
    if email is OMIT or email is None or not roundtrip(email).strip():
        return None
    return fold(roundtrip(email)) == fold(_address(state.alice))


def _assert_attempts_counted_only_for_alice(
    state: World, before: Snapshot, after: Snapshot, scoped: bool | None, right_key: bool
) -> None:
    """Only a wrong token presented with alice's address counts against alice's token."""
    (pk,) = [pk for pk, row in before.tokens.items() if row[0] == state.alice.pk]
    old, new = before.tokens[pk], after.tokens[pk]
    assert new[:2] == old[:2]
    if scoped and not right_key:
        assert new[2] in (old[2], old[2] + 1)
    else:
        assert new[2] == old[2]


@ENDPOINTS
@PROFILE
@given(token_scope=token_and_scope, raw=st.booleans())
def test_validate_takes_any_strings(
    path: str, token_scope: tuple[tuple[str, Any], Choice], raw: bool
) -> None:
    token, email = token_scope
    with world() as state:
        before = Snapshot.take()
        sent_token = _resolve_token(token, state.key)
        variables = _arguments(token=sent_token, email=email.value)
        body = answer(
            state, post_json(state, path, {"query": VALIDATE, "variables": variables}, raw)
        )
        payload = payload_of(body, "validateResetToken")
        event("validate: " + _outcome(payload, "valid"))
        assert_errors(payload["errors"], {"INVALID_TOKEN": "token"})
        assert payload["username"] is None and payload["email"] is None
        right_key = roundtrip(sent_token) == state.key
        scoped = _scoped_to_alice(email.value, state)
        if right_key and email.accepted:
            assert payload["valid"] is True, payload
        if payload["valid"]:
            assert payload["errors"] == [] and right_key and scoped is not False
        else:
            assert payload["errors"]
        after = Snapshot.take()
        assert after.tokens.keys() == before.tokens.keys()
        assert after.passwords == before.passwords and state.sent == []
        _assert_attempts_counted_only_for_alice(state, before, after, scoped, right_key)


@ENDPOINTS
@PROFILE
@given(
    token_scope=token_and_scope,
    password=password_choices,
    client_id=client_ids,
    raw=st.booleans(),
)
def test_confirm_takes_any_strings(
    path: str,
    token_scope: tuple[tuple[str, Any], Choice],
    password: Choice,
    client_id: Any,
    raw: bool,
) -> None:
    token, email = token_scope
    with world() as state:
        before = Snapshot.take()
        sent_token = _resolve_token(token, state.key)
        arguments = _arguments(token=sent_token, password=password.value, email=email.value)
        query = CONFIRM["relay" if _relay(path) else "plain"]
        variables = _variables(path, arguments, client_id)
        body = answer(state, post_json(state, path, {"query": query, "variables": variables}, raw))
        payload = payload_of(body, "confirmPasswordReset")
        event("confirm: " + _outcome(payload, "ok"))
        _assert_echo(path, payload, client_id)
        assert_errors(
            payload["errors"],
            {"INVALID_TOKEN": "token", **dict.fromkeys(PASSWORD_CODES, "password")},
        )
        assert payload["token"] is None and payload["refreshToken"] is None
        right_key = roundtrip(sent_token) == state.key
        scoped = _scoped_to_alice(email.value, state)
        if right_key and email.accepted and password.accepted:
            assert payload["ok"] is True, payload
        if password.accepted is False or _out_of_bounds(password.value, MAX_PASSWORD):
            assert payload["ok"] is False, payload
        after = Snapshot.take()
        alice = get_user_model()._default_manager.get(pk=state.alice.pk)
        assert after.passwords[state.bob.pk] == before.passwords[state.bob.pk]
        assert not after.tokens.keys() - before.tokens.keys() and state.sent == []
        if payload["ok"]:
            assert payload["errors"] == [] and right_key and scoped is not False
            assert alice.check_password(roundtrip(password.value))
            assert not ResetPasswordToken.objects.filter(user_id=alice.pk).exists()
        else:
            assert payload["errors"]
            assert after.passwords == before.passwords
            _assert_attempts_counted_only_for_alice(state, before, after, scoped, right_key)


# --- documents and GET requests ------------------------------------------------------------

KEY_MARK = "@@KEY@@"  # replaced by alice's live key before sending
DOCUMENTS = {
    "plain": [
        f'mutation {{ requestPasswordReset(email: "{ALICE}") {{ ok errors {{ code }} }} }}',
        f'{{ validateResetToken(token: "{KEY_MARK}") {{ valid errors {{ field code }} }} }}',
        f'mutation {{ confirmPasswordReset(token: "{KEY_MARK}", password: "Kettle-42-Blue")'
        " { ok errors { field message code } } }",
        f'mutation {{ a: requestPasswordReset(email: "{ALICE}") {{ ok }}'
        f' b: requestPasswordReset(email: "{BOB}") {{ ok }} }}',
        f'mutation {{ confirmPasswordReset(token: "wrong", email: "{ALICE}", password: "x")'
        ' { ok } again: confirmPasswordReset(token: "wrong", password: "x") { ok } }',
        REQUEST["plain"],
        VALIDATE,
        CONFIRM["plain"],
        'query Q { ...F } fragment F on Query { validateResetToken(token: "x") { valid } }',
    ],
    "relay": [
        f'mutation {{ requestPasswordReset(input: {{email: "{ALICE}", clientMutationId: "c"}})'
        " { ok clientMutationId } }",
        f'{{ validateResetToken(token: "{KEY_MARK}", email: "{ALICE}") {{ valid }} }}',
        f'mutation {{ confirmPasswordReset(input: {{token: "{KEY_MARK}",'
        ' password: "Kettle-42-Blue"}) { ok errors { code } } }',
        REQUEST["relay"],
        VALIDATE,
        CONFIRM["relay"],
    ],
}
request_fields = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(st.sampled_from(DOCUMENTS["plain"] + DOCUMENTS["relay"]), short_text),
        "variables": st.one_of(short_text, st.just('{"email": "alice@example.com"}')),
        "operationName": short_text,
    },
)


@ENDPOINTS
@PROFILE
@given(fields=request_fields, raw=st.binary(max_size=300), use_raw=st.booleans())
def test_get_requests_change_nothing(
    path: str, fields: dict[str, str], raw: bytes, use_raw: bool
) -> None:
    """GET with any query string: mutations are refused, queries run, nothing is written."""
    if use_raw:
        query_string = "query=" + quote_from_bytes(raw)
    else:
        query_string = urlencode(
            {name: value.encode("utf-8", "surrogatepass") for name, value in fields.items()}
        )
    with world() as state:
        before = Snapshot.take()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = state.client.get(path, QUERY_STRING=query_string)
        response.sent = query_string.encode()
        event(_answer_kind(response, answer(state, response)))
        after = Snapshot.take()
        assert after.tokens.keys() == before.tokens.keys()
        assert after.passwords == before.passwords and state.sent == []


# --- known crashes of graphene-django's view -----------------------------------------------


@pytest.mark.parametrize(
    "body, content_type, crash",
    [
        (b"\xff{ ping }", "application/graphql", UnicodeDecodeError),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", RecursionError),
    ],
    ids=["graphql-not-utf8", "deep-json"],
)
def test_graphene_django_still_crashes_on_these_bodies(
    body: bytes, content_type: str, crash: type[Exception]
) -> None:
    """graphene-django 3's GraphQLView.parse_body lets these escape (HTTP 500). The docs list
    them as known upstream behaviour, with the guard a project can put in front of the view
    (the example project has it, tested in example_project/example_tests/). When this test
    fails, upstream has fixed them: update the docs."""
    with world() as state, pytest.raises(crash):
        post_raw(state, "/graphql", body, content_type)
