"""What the benchmark measures: each variant's operation over HTTP through django.test.Client,
its untimed preparation, and the check that every timed operation really did its work.

Every variant is driven the same way: prepared JSON bodies posted one after another to its
URL, from a small pool of client addresses (both packages throttle per address). Tokens for
validate and confirm are made through each package's own model, outside the timed section.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django_rest_passwordreset.models import ResetPasswordToken as RestToken
from django_rest_passwordreset.signals import (
    reset_password_token_created as rest_token_created,
)

from graphql_passwordreset.models import ResetPasswordToken as OurToken
from graphql_passwordreset.signals import reset_password_token_created as our_token_created
from graphql_passwordreset.tokens import get_token_generator

from .names import OPERATIONS

PASSWORD = "Original-passw0rd!"
NEW_PASSWORD = "Lantern-oboe-Quay-7931"
CLIENT_ADDRESSES = [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(64)]

REQUEST_DOCUMENT = (
    "mutation RequestReset($email: String!) { requestPasswordReset(email: $email) "
    "{ ok errors { field message code } } }"
)
VALIDATE_DOCUMENT = (
    "query ValidateToken($token: String!) { validateResetToken(token: $token) "
    "{ valid errors { field message code } } }"
)
CONFIRM_DOCUMENT = (
    "mutation ConfirmReset($token: String!, $password: String!) { confirmPasswordReset("
    "token: $token, password: $password) { ok errors { field message code } } }"
)
# The same documents sent to the no-op twins of the operations (bench/benchsite/schema.py).
NOOP_FIELDS = {
    "requestPasswordReset": "noopRequestPasswordReset",
    "validateResetToken": "noopValidateResetToken",
    "confirmPasswordReset": "noopConfirmPasswordReset",
}
DOCUMENTS = {
    "request": ("requestPasswordReset", REQUEST_DOCUMENT),
    "validate": ("validateResetToken", VALIDATE_DOCUMENT),
    "confirm": ("confirmPasswordReset", CONFIRM_DOCUMENT),
}


# --- users and tokens ------------------------------------------------------------------------


def pool_emails(operation: str, size: int) -> list[str]:
    """The addresses of the users one operation works on (the same in every database)."""
    return [f"bench-{operation}-{i}@example.com" for i in range(size)]


@cache
def _password_hash() -> str:
    """PASSWORD hashed once: with Django's default hasher that takes most of a second."""
    return make_password(PASSWORD)


def ensure_users(emails: list[str]) -> list[Any]:
    """The users with these addresses, created where missing, in the order given."""
    user_model = get_user_model()
    existing = {user.email: user for user in user_model.objects.filter(email__in=emails)}
    password = _password_hash()
    missing = [
        user_model(username=email.split("@")[0], email=email, password=password)
        for email in emails
        if email not in existing
    ]
    user_model.objects.bulk_create(missing, batch_size=500)
    existing.update((user.email, user) for user in user_model.objects.filter(email__in=emails))
    return [existing[email] for email in emails]


def make_rest_tokens(users: list[Any]) -> list[str]:
    """A fresh django-rest-passwordreset token for each user (old ones removed first)."""
    RestToken.objects.filter(user__in=users).delete()
    tokens = [RestToken(user=user, key=RestToken.generate_key()) for user in users]
    RestToken.objects.bulk_create(tokens, batch_size=500)
    return [token.key for token in tokens]


def make_our_tokens(users: list[Any]) -> list[str]:
    """A fresh token of this package for each user (old ones removed first)."""
    OurToken.objects.filter(user__in=users).delete()
    generator = get_token_generator()
    tokens = []
    for user in users:
        token = OurToken(user=user)
        token.set_key(generator.generate_token())
        tokens.append(token)
    OurToken.objects.bulk_create(tokens, batch_size=500)
    return [str(token.key) for token in tokens]


# --- variants --------------------------------------------------------------------------------


@dataclass
class Prepared:
    """The bodies one timed batch posts, and what to check once it is over."""

    bodies: list[bytes]
    check: Callable[[list[Any]], None]


@dataclass
class Variant:
    """One operation of one implementation, e.g. ("graphql", "validate")."""

    name: str
    implementation: str
    operation: str
    path: str
    prepare: Callable[[int], Prepared]
    direct: Callable[[bytes], Any] | None = None  # timed without HTTP (the hasher floor)


@dataclass
class Signals:
    """Counts the reset_password_token_created signals of both packages."""

    ours: int = 0
    rest: int = 0
    connected: bool = False

    def connect(self) -> None:
        if self.connected:
            return

        def count_ours(**kwargs: Any) -> None:
            assert kwargs["reset_password_token"].key
            self.ours += 1

        def count_rest(**kwargs: Any) -> None:
            assert kwargs["reset_password_token"].key
            self.rest += 1

        our_token_created.connect(count_ours, weak=False, dispatch_uid="bench-ours")
        rest_token_created.connect(count_rest, weak=False, dispatch_uid="bench-rest")
        self.connected = True


SIGNALS = Signals()


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def _graphql(document: str, variables: dict[str, Any]) -> bytes:
    return _json({"query": document, "variables": variables})


def _expect(responses: list[Any], count: int, predicate: Callable[[Any], bool]) -> None:
    assert len(responses) == count, (len(responses), count)
    for response in responses:
        assert response.status_code == 200, response.content
        body = response.json()
        assert predicate(body), body


def _bodies(implementation: str, document: str, variables: list[dict[str, Any]]) -> list[bytes]:
    """What each implementation is posted: the variables as plain JSON for DRF, its floor and
    the floor view, a GraphQL request of ``document`` with them for GraphQLView."""
    if implementation in ("rest", "restfloor", "floor"):
        return [_json(each) for each in variables]
    return [_graphql(document, each) for each in variables]


def _expect_success(
    responses: list[Any], count: int, implementation: str, graphql_field: str, flag: str
) -> None:
    """``count`` answers, each a success in the implementation's words: DRF's status OK, the
    floor view's ``{flag: true}``, or ``graphql_field`` answering ``flag`` true and no errors."""
    expected: dict[str, Any]
    if implementation in ("rest", "restfloor"):
        expected = {"status": "OK"}
    elif implementation == "floor":
        expected = {flag: True}
    elif implementation == "noop":
        expected = {"data": {NOOP_FIELDS[graphql_field]: {flag: True, "errors": []}}}
    else:
        expected = {"data": {graphql_field: {flag: True, "errors": []}}}
    _expect(responses, count, lambda body: body == expected)


def _request_variant(implementation: str, path: str, pool: int) -> Variant:
    emails = pool_emails("request", pool)
    token_model = RestToken if implementation == "rest" else OurToken

    def prepare(count: int) -> Prepared:
        users = ensure_users(emails[:count])
        token_model.objects.filter(user__in=users).delete()
        bodies = _bodies(
            implementation, REQUEST_DOCUMENT, [{"email": email} for email in emails[:count]]
        )
        signals_before = (SIGNALS.ours, SIGNALS.rest)

        def check(responses: list[Any]) -> None:
            _expect_success(responses, count, implementation, "requestPasswordReset", "ok")
            if implementation == "rest":
                assert SIGNALS.rest - signals_before[1] == count
            elif implementation != "floor":
                assert SIGNALS.ours - signals_before[0] == count
            made = token_model.objects.filter(user__in=users).count()
            assert made == count, (implementation, made, count)

        return Prepared(bodies, check)

    return Variant(f"{implementation}.request", implementation, "request", path, prepare)


_VALIDATE_KEYS: dict[tuple[str, str], list[str]] = {}


def _validate_variant(implementation: str, path: str, pool: int) -> Variant:
    emails = pool_emails("validate", pool)
    table = "rest" if implementation == "rest" else "ours"

    def prepare(count: int) -> Prepared:
        # Validating consumes nothing: one set of live tokens per table and database serves
        # every round and every variant using that table.
        slot = (table, str(connection.settings_dict["NAME"]))
        if slot not in _VALIDATE_KEYS:
            users = ensure_users(emails)
            _VALIDATE_KEYS[slot] = (
                make_rest_tokens(users) if table == "rest" else make_our_tokens(users)
            )
        chosen = _VALIDATE_KEYS[slot][:count]
        bodies = _bodies(implementation, VALIDATE_DOCUMENT, [{"token": key} for key in chosen])

        def check(responses: list[Any]) -> None:
            _expect_success(responses, count, implementation, "validateResetToken", "valid")

        return Prepared(bodies, check)

    return Variant(f"{implementation}.validate", implementation, "validate", path, prepare)


def _confirm_variant(implementation: str, path: str, pool: int) -> Variant:
    emails = pool_emails(f"confirm-{implementation}", pool)
    token_model = RestToken if implementation == "rest" else OurToken

    def prepare(count: int) -> Prepared:
        users = ensure_users(emails[:count])
        keys = make_rest_tokens(users) if implementation == "rest" else make_our_tokens(users)
        bodies = _bodies(
            implementation,
            CONFIRM_DOCUMENT,
            [{"token": key, "password": NEW_PASSWORD} for key in keys],
        )

        def check(responses: list[Any]) -> None:
            _expect_success(responses, count, implementation, "confirmPasswordReset", "ok")
            assert not token_model.objects.filter(user__in=users).exists(), implementation
            changed = get_user_model().objects.get(pk=users[-1].pk)
            assert changed.check_password(NEW_PASSWORD), implementation

        return Prepared(bodies, check)

    return Variant(f"{implementation}.confirm", implementation, "confirm", path, prepare)


def _no_database_variant(implementation: str, operation: str, path: str) -> Variant:
    """A floor that does no database work: the operation's document sent to its no-op twin
    ("noop"), or its JSON body to the DRF view with a one-field serializer ("restfloor").
    The values have the shape of the real ones (an address, a token, a password)."""
    graphql_field, document = DOCUMENTS[operation]
    if implementation == "noop":
        document = document.replace(graphql_field, NOOP_FIELDS[graphql_field], 1)
    flag = "valid" if operation == "validate" else "ok"

    def token(i: int) -> str:
        if implementation == "restfloor":
            return str(RestToken.generate_key())
        return get_token_generator().generate_token()

    def prepare(count: int) -> Prepared:
        if operation == "request":
            variables = [{"email": email} for email in pool_emails("floor", count)]
        elif operation == "validate":
            variables = [{"token": token(i)} for i in range(count)]
        else:
            variables = [{"token": token(i), "password": NEW_PASSWORD} for i in range(count)]
        bodies = _bodies(implementation, document, variables)

        def check(responses: list[Any]) -> None:
            _expect_success(responses, count, implementation, graphql_field, flag)

        return Prepared(bodies, check)

    return Variant(f"{implementation}.{operation}", implementation, operation, path, prepare)


def _hasher_floor_variant(pool: int) -> Variant:
    """One user.set_password() + save(), no HTTP: what any confirm must at least cost."""
    emails = pool_emails("hasher", pool)
    users: list[Any] = []

    def prepare(count: int) -> Prepared:
        users[:] = ensure_users(emails[:count])

        def check(results: list[Any]) -> None:
            assert len(results) == count
            changed = get_user_model().objects.get(pk=users[-1].pk)
            assert changed.check_password(NEW_PASSWORD)

        return Prepared([str(i).encode() for i in range(count)], check)

    def direct(body: bytes) -> Any:
        user = users[int(body)]
        user.set_password(NEW_PASSWORD)
        user.save()
        return user

    return Variant("hasher.confirm", "hasher", "confirm", "", prepare, direct)


# The URL of each operation, per implementation.
PATHS = {
    "rest": {
        "request": "/api/password_reset/",
        "validate": "/api/password_reset/validate_token/",
        "confirm": "/api/password_reset/confirm/",
    },
    "restfloor": {
        "request": "/drf-floor/request",
        "validate": "/drf-floor/validate",
        "confirm": "/drf-floor/confirm",
    },
    "graphql": dict.fromkeys(OPERATIONS, "/graphql"),
    "noop": dict.fromkeys(OPERATIONS, "/graphql"),
    "floor": {
        "request": "/floor/request",
        "validate": "/floor/validate",
        "confirm": "/floor/confirm",
    },
}


def variants(pool: int) -> list[Variant]:
    """Every variant, with user pools of ``pool`` users per operation."""
    SIGNALS.connect()
    made: list[Variant] = []
    for implementation, paths in PATHS.items():
        if implementation in ("noop", "restfloor"):
            made += [
                _no_database_variant(implementation, operation, paths[operation])
                for operation in OPERATIONS
            ]
            continue
        made.append(_request_variant(implementation, paths["request"], pool))
        made.append(_validate_variant(implementation, paths["validate"], pool))
        made.append(_confirm_variant(implementation, paths["confirm"], pool))
    made.append(_hasher_floor_variant(pool))
    return made


# --- driving ---------------------------------------------------------------------------------


def client() -> Client:
    return Client()


def run_batch(variant: Variant, http: Client, bodies: list[bytes]) -> list[Any]:
    """Post every body to the variant's URL (or call it directly); the timed part."""
    if variant.direct is not None:
        return [variant.direct(body) for body in bodies]
    addresses = CLIENT_ADDRESSES
    size = len(addresses)
    path = variant.path
    return [
        http.post(path, body, content_type="application/json", REMOTE_ADDR=addresses[i % size])
        for i, body in enumerate(bodies)
    ]


# --- counting SQL ----------------------------------------------------------------------------

_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT)\b", re.I)


@dataclass
class SqlCount:
    """The statements one operation sent, transaction control apart, and its transactions:
    atomic blocks plus writes that ran outside one (each its own transaction)."""

    statements: int = 0
    writes: int = 0
    atomic_blocks: int = 0
    autocommit_writes: int = 0
    control: int = 0
    sql: list[str] = field(default_factory=list)

    @property
    def transactions(self) -> int:
        return self.atomic_blocks + self.autocommit_writes


@contextmanager
def count_sql() -> Iterator[SqlCount]:
    """Count what the default connection executes inside the block."""
    counted = SqlCount()
    original = connection.set_autocommit

    def set_autocommit(autocommit: bool, *args: Any, **kwargs: Any) -> None:
        if not autocommit:
            counted.atomic_blocks += 1
        original(autocommit, *args, **kwargs)

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if _CONTROL.match(sql):
            counted.control += 1
        else:
            counted.statements += 1
            counted.sql.append(sql)
            if not sql.lstrip().upper().startswith("SELECT"):
                counted.writes += 1
                if not connection.in_atomic_block:
                    counted.autocommit_writes += 1
        return execute(sql, params, many, context)

    connection.set_autocommit = set_autocommit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(wrapper):
            yield counted
    finally:
        del connection.set_autocommit
