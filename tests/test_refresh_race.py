"""A refresh token kept rotating while its owner resets the password does not survive the
reset (graphql_passwordreset.contrib.graphql_jwt: get_refresh_token and
revoke_if_password_changed).

The attack: keep a refresh token and rotate it in a loop (``refreshToken`` with the token,
replacing it by the answer) while the owner requests and confirms a reset. A refresh that read
its token as live just before the reset committed stores the rotated token just after the
reset's revocation ran; that token used to stay live.

Each refresh and the confirm run on threads of their own with their own database connections,
so these need a database those threads share: PostgreSQL, MariaDB, or SQLite in a file
(``DB=sqlite-file``); the in-memory SQLite database is per connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client
from graphql_jwt.refresh_token.models import RefreshToken
from graphql_jwt.refresh_token.signals import refresh_token_rotated
from graphql_jwt.settings import jwt_settings

from graphql_passwordreset.testing import make_reset_token

from .conftest import PASSWORD, GraphQLClient

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30
TRIALS = 20
CHAINS = 3
NEW_PASSWORD = "Fresh-Kettle-Morning-57"


@pytest.fixture(autouse=True)
def _shared_database() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a shared database: DB=sqlite-file, postgres or mariadb")


@pytest.fixture(autouse=True)
def _jwt_settings() -> Iterator[None]:
    jwt_settings.reload()  # the suite's GRAPHQL_JWT, whatever an earlier test overrode
    yield
    jwt_settings.reload()


def client() -> GraphQLClient:
    return GraphQLClient(Client(), "/graphql", relay=False)


def sign_in(user: Any, password: str = PASSWORD) -> str:
    field = get_user_model().USERNAME_FIELD
    body = (
        client()
        .post(
            f"mutation($u: String!, $p: String!) {{ tokenAuth({field}: $u, password: $p) "
            "{ refreshToken } }",
            {"u": user.get_username(), "p": password},
        )
        .json()
    )
    assert "errors" not in body, body
    return str(body["data"]["tokenAuth"]["refreshToken"])


def refresh(token: str) -> str | None:
    """The rotated refresh token, or None when the token was refused."""
    try:
        body = (
            client()
            .post(
                "mutation($t: String!) { refreshToken(refreshToken: $t) { refreshToken } }",
                {"t": token},
            )
            .json()
        )
    finally:
        connections.close_all()
    data = body.get("data") or {}
    rotated = (data.get("refreshToken") or {}).get("refreshToken")
    return str(rotated) if rotated and "errors" not in body else None


def confirm_reset(user: Any) -> None:
    try:
        answer = client().confirm(make_reset_token(user), NEW_PASSWORD)
        assert answer["ok"] is True, answer
    finally:
        connections.close_all()


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed to the test's thread
            result.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_refresh_held_across_the_reset_yields_a_dead_token(user: Any) -> None:
    """Deterministic: the refresh reads its token, waits while the reset commits, then stores
    the rotated token. That token is refused, and a sign-in after the reset still works."""
    token = sign_in(user)
    reached, release = threading.Event(), threading.Event()

    def hold(**kwargs: Any) -> None:  # after the token was read, before the new one is stored
        reached.set()
        assert release.wait(TIMEOUT)

    refresh_token_rotated.connect(hold, dispatch_uid="tests-hold-refresh")
    try:
        thread, result = in_thread(lambda: refresh(token))
        assert reached.wait(TIMEOUT), "the refresh never got going"
        refresh_token_rotated.disconnect(dispatch_uid="tests-hold-refresh")
        confirm_reset(user)
        release.set()
        thread.join(TIMEOUT)
    finally:
        refresh_token_rotated.disconnect(dispatch_uid="tests-hold-refresh")
        release.set()
    rotated = result[0]
    assert isinstance(rotated, str), result  # the in-flight refresh itself got an answer
    assert RefreshToken.objects.get(token=rotated).revoked is not None
    assert refresh(rotated) is None
    assert refresh(token) is None
    assert refresh(sign_in(user, NEW_PASSWORD)) is not None


def surviving_tokens(user: Any, pause: float) -> list[str]:
    """One trial: CHAINS chains rotate in loops, the owner resets ``pause`` seconds in; the
    tokens any chain was handed that still refresh afterwards."""
    heads = [sign_in(user) for _ in range(CHAINS)]
    issued: list[str] = list(heads)
    stop = threading.Event()
    lock = threading.Lock()

    def rotate(chain: int) -> None:
        while not stop.is_set():
            rotated = refresh(heads[chain])
            if rotated is None:
                return  # the reset cut this chain
            with lock:
                heads[chain] = rotated
                issued.append(rotated)

    threads = [in_thread(lambda chain=chain: rotate(chain))[0] for chain in range(CHAINS)]
    time.sleep(pause)
    confirm_reset(user)
    time.sleep(0.05)  # refreshes in flight during the reset finish
    stop.set()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    return [token for token in issued if refresh(token) is not None]


def test_rotating_chains_never_outlive_a_reset(make_user: Any) -> None:
    """The attack as it was run: several chains rotate in loops while the owner resets; every
    token any chain holds afterwards is refused. 20 trials, 0 survivors."""
    if connection.vendor == "mysql" and connection.settings_dict.get("ATOMIC_REQUESTS"):
        pytest.skip(
            "MariaDB under ATOMIC_REQUESTS: a deadlock between a refresh token's insert and the "
            "reset rolls back the whole request, which Django does not run again, so the reset "
            "itself can fail here (docs: security, concurrency); runs on PostgreSQL, SQLite "
            "and MariaDB without ATOMIC_REQUESTS"
        )
    survivors = []
    for trial in range(TRIALS):
        user = make_user(f"victim{trial}@example.com")
        # the reset lands at varied points of the chains' rotation
        survivors += surviving_tokens(user, pause=0.05 + 0.01 * (trial % 5))
    assert survivors == []
