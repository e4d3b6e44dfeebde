"""Fixtures: a GraphQL client that talks to the real view over HTTP, for the plain and the
Relay schema alike, users, and a receiver that captures the tokens a request hands out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, TestCase

from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.signals import reset_password_token_created

PASSWORD = "Original-passw0rd!"
NEW_PASSWORD = "Brand-new-Secret-42"


class PinnedClock:
    """Stands in for the ``time`` module the throttles read, so that no test depends on where
    the wall clock is inside a rate's window; tests move ``now`` to reach the next window."""

    def __init__(self) -> None:
        # Noon UTC: the middle of a second, a minute, an hour and a day alike.
        self.now = 20_000 * 86_400 + 43_200.5

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttles count in the cache: every test starts with a fresh allowance."""
    cache.clear()
    yield
    cache.clear()


def user_fields() -> dict[str, str]:
    """Field names of the active user model, so tests run on both user models."""
    user_model = get_user_model()
    return {"email": user_model.get_email_field_name(), "username": user_model.USERNAME_FIELD}


@pytest.fixture
def make_user(db: None) -> Any:
    counter = iter(range(1, 10_000))

    def make(
        email: str = "alice@example.com",
        *,
        password: str | None = PASSWORD,
        username: str | None = None,
        **extra: Any,
    ) -> Any:
        names = user_fields()
        values = {names["email"]: email, names["username"]: username or f"user{next(counter)}"}
        values.update(extra)
        user = get_user_model()(**values)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def user(make_user: Any) -> Any:
    return make_user()


@dataclass
class CapturedTokens:
    """What reset_password_token_created receivers were handed, in order."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [call["reset_password_token"].key for call in self.calls]

    @property
    def last_key(self) -> str:
        assert self.calls, "no reset_password_token_created signal was sent"
        return self.keys[-1]


@pytest.fixture
def captured() -> Iterator[CapturedTokens]:
    tokens = CapturedTokens()

    def receiver(**kwargs: Any) -> None:
        tokens.calls.append(kwargs)

    reset_password_token_created.connect(receiver, dispatch_uid="tests-captured")
    yield tokens
    reset_password_token_created.disconnect(dispatch_uid="tests-captured")


def post_committed(client: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """POST as a real server would see it: work deferred to transaction.on_commit (signal
    receivers, dispatchers) runs when the request's transaction commits. A test runs inside a
    transaction that never commits, so the callbacks are captured and run at the end of the
    request instead."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, data, **extra)


class GraphQLClient:
    """Posts GraphQL documents as JSON to the view, like a browser or mobile client."""

    def __init__(self, client: Client, path: str, relay: bool) -> None:
        self.client = client
        self.path = path
        self.relay = relay

    def post(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> Any:
        body = {"query": query, "variables": variables or {}}
        return post_committed(
            self.client, self.path, json.dumps(body), content_type="application/json", **extra
        )

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        response = self.post(query, variables, **extra)
        assert response.status_code == 200, response.content
        data: dict[str, Any] = response.json()
        assert "errors" not in data, data
        return data["data"]

    def _mutation(
        self, name: str, args: dict[str, Any], fields: str, **extra: Any
    ) -> dict[str, Any]:
        """Run mutation ``name`` with ``args`` (camelCase, None means: leave out)."""
        given = {key: value for key, value in args.items() if value is not None}
        types = {
            "email": "String",
            "redirectUrl": "String",
            "token": "String",
            "password": "String",
        }
        if self.relay:
            fields += " clientMutationId"
            given["clientMutationId"] = "cid-1"
            query = (
                f"mutation($input: {name[0].upper()}{name[1:]}Input!) "
                f"{{ {name}(input: $input) {{ {fields} }} }}"
            )
            data = self.execute(query, {"input": given}, **extra)[name]
            assert data["clientMutationId"] == "cid-1"
            return data  # type: ignore[no-any-return]
        required = (
            {"email", "token", "password"}
            if name != "confirmPasswordReset"
            else {"token", "password"}
        )
        declared = ", ".join(
            f"${key}: {types[key]}{'!' if key in required else ''}" for key in given
        )
        call = ", ".join(f"{key}: ${key}" for key in given)
        query = f"mutation({declared}) {{ {name}({call}) {{ {fields} }} }}"
        return self.execute(query, given, **extra)[name]  # type: ignore[no-any-return]

    def request_reset(
        self, email: str, redirect_url: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        return self._mutation(
            "requestPasswordReset",
            {"email": email, "redirectUrl": redirect_url},
            "ok errors { field message code }",
            **extra,
        )

    def confirm(
        self, token: str, password: str = NEW_PASSWORD, email: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        return self._mutation(
            "confirmPasswordReset",
            {"token": token, "password": password, "email": email},
            "ok errors { field message code } token refreshToken",
            **extra,
        )

    def validate(self, token: str, email: str | None = None, **extra: Any) -> dict[str, Any]:
        given = {"token": token, "email": email}
        given = {key: value for key, value in given.items() if value is not None}
        declared = ", ".join(f"${key}: String{'!' if key == 'token' else ''}" for key in given)
        call = ", ".join(f"{key}: ${key}" for key in given)
        query = (
            f"query({declared}) {{ validateResetToken({call}) "
            "{ valid errors { field message code } username email } }"
        )
        return self.execute(query, given, **extra)["validateResetToken"]  # type: ignore[no-any-return]


@pytest.fixture(params=["plain", "relay"])
def gql(request: pytest.FixtureRequest, client: Client) -> GraphQLClient:
    """The same behaviour, checked against the plain and the Relay schema."""
    if request.param == "relay":
        return GraphQLClient(client, "/graphql-relay", relay=True)
    return GraphQLClient(client, "/graphql", relay=False)


@pytest.fixture
def plain_gql(client: Client) -> GraphQLClient:
    return GraphQLClient(client, "/graphql", relay=False)


# --- helpers shared by the operation tests ---------------------------------------------------


def email_of(user: Any) -> str:
    return str(getattr(user, user.get_email_field_name()))


def codes(errors: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    """The (field, code) pairs of an errors list; messages are checked where they matter."""
    for error in errors:
        assert isinstance(error["message"], str) and error["message"]
    return [(error["field"], error["code"]) for error in errors]


def reload(user: Any) -> Any:
    return get_user_model()._default_manager.get(pk=user.pk)


def token_of(user: Any) -> ResetPasswordToken | None:
    return ResetPasswordToken.objects.filter(user_id=user.pk).first()


@pytest.fixture
def configure(settings: Any) -> Callable[..., None]:
    """Set GRAPHQL_PASSWORDRESET keys, keeping the ones the settings module already gives
    (the custom-user settings set LOOKUP_FIELD)."""

    def apply(**values: Any) -> None:
        settings.GRAPHQL_PASSWORDRESET = {
            **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
            **values,
        }

    return apply


@pytest.fixture
def issue(gql: GraphQLClient, captured: CapturedTokens) -> Callable[[Any], str]:
    """Request a reset for ``user`` and return the key the project would deliver."""

    def request(user: Any) -> str:
        before = len(captured.calls)
        assert gql.request_reset(email_of(user))["ok"] is True
        assert len(captured.calls) == before + 1
        return str(captured.last_key)

    return request


def assert_no_leak(response: Any) -> dict[str, Any]:
    """Not a server error, JSON, and nothing internal (traceback, paths, module names)."""
    assert response.status_code < 500, response.content
    text = response.content.decode()
    for leak in ("Traceback", 'File "', "graphql_passwordreset", "site-packages"):
        assert leak not in text, text
    body: dict[str, Any] = response.json()
    return body


def assert_refused_cleanly(response: Any) -> dict[str, Any]:
    """A top-level GraphQL error answer that leaks nothing internal."""
    body = assert_no_leak(response)
    assert body.get("errors"), body
    return body
