"""The throttles' cache is on the request path of all three operations. When it fails (down, or
silent past the timeouts the project gives it), the operation fails closed: nothing is done,
the client gets the generic error, and the failure is logged on the package's logger."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache

from graphql_passwordreset.mixins import UNEXPECTED_ERROR_MESSAGE
from graphql_passwordreset.models import ResetPasswordToken

from .conftest import NEW_PASSWORD, CapturedTokens, GraphQLClient, email_of
from .silent_server import silent_server

KEY = "a-live-token-of-the-user-0123456789"


class DownCache(LocMemCache):
    """A cache whose server is down: every call fails at once, as a Redis client's does."""

    def add(self, *args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    get = set = incr = add


OPERATIONS = {
    "requestPasswordReset": (
        "mutation($email: String!) { requestPasswordReset(email: $email) { ok } }"
    ),
    "validateResetToken": (
        "query($token: String!) { validateResetToken(token: $token) { valid } }"
    ),
    "confirmPasswordReset": (
        "mutation($token: String!, $password: String!) "
        "{ confirmPasswordReset(token: $token, password: $password) { ok } }"
    ),
}


@pytest.fixture
def live_token(user: Any) -> ResetPasswordToken:
    token = ResetPasswordToken(user=user)
    token.set_key(KEY)
    token.save()
    return token


@pytest.fixture
def down_cache(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.DownCache"}}


@pytest.fixture
def paused_redis(settings: Any) -> Iterator[None]:
    """Django's Redis cache on a server that accepts and never answers, bounded as
    docs/security.md advises (the server drops each connection after 5 s)."""
    with silent_server() as (host, port):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://{host}:{port}/0",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        yield


def post_each_operation(
    plain_gql: GraphQLClient, user: Any, caplog: pytest.LogCaptureFixture
) -> dict[str, float]:
    """Run each operation once; check it answers the generic error and is logged. Returns how
    long each one took."""
    variables = {"email": email_of(user), "token": KEY, "password": NEW_PASSWORD}
    times = {}
    for name, query in OPERATIONS.items():
        caplog.clear()
        started = time.monotonic()
        with caplog.at_level(logging.ERROR, logger="graphql_passwordreset"):
            response = plain_gql.post(query, {k: v for k, v in variables.items() if k in query})
        times[name] = time.monotonic() - started
        body = response.json()
        assert body["data"] == {name: None}, body
        assert [error["message"] for error in body["errors"]] == [str(UNEXPECTED_ERROR_MESSAGE)]
        assert any(r.name == "graphql_passwordreset" for r in caplog.records)
    return times


def test_a_cache_that_is_down_fails_closed(
    plain_gql: GraphQLClient,
    user: Any,
    live_token: ResetPasswordToken,
    captured: CapturedTokens,
    down_cache: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    post_each_operation(plain_gql, user, caplog)
    # Nothing was done: no new token, no signal, the password and the live token unchanged.
    assert list(ResetPasswordToken.objects.values_list("pk", flat=True)) == [live_token.pk]
    assert captured.calls == []
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_a_paused_redis_cache_with_timeouts_fails_closed_in_time(
    plain_gql: GraphQLClient,
    user: Any,
    live_token: ResetPasswordToken,
    captured: CapturedTokens,
    paused_redis: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    times = post_each_operation(plain_gql, user, caplog)
    assert all(seconds < 2 for seconds in times.values()), times
    assert list(ResetPasswordToken.objects.values_list("pk", flat=True)) == [live_token.pk]
    assert captured.calls == []
