"""Races between requests that run at the same moment, each on its own thread, Django test
Client and database connection, all released together by a barrier.

These need a database that locks rows: on PostgreSQL and MariaDB the second of two writers to a
row waits for the first to commit. SQLite serialises whole-database writers instead, and its
in-memory test database is not shared between threads, so the tests skip there; run them with
``DB=postgres`` (or ``DB=mariadb``).
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

from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.signals import pre_password_reset

from .conftest import GraphQLClient, email_of

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

# How long the winning confirm holds its row lock (inside pre_password_reset) so that the other
# confirm is sure to arrive while the reset is still in progress.
HOLD_SECONDS = 0.5
TIMEOUT_SECONDS = 30


@pytest.fixture(autouse=True)
def _row_locks() -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "needs row locks: SQLite serialises writers with a database-wide lock and its "
            "in-memory test database is per connection; run with DB=postgres or DB=mariadb"
        )


@pytest.fixture(params=["/graphql", "/graphql-relay"], ids=["plain", "relay"])
def new_client(request: pytest.FixtureRequest) -> Callable[[], GraphQLClient]:
    """A fresh GraphQL client (own Django test Client) for the plain or the Relay schema."""
    path = request.param
    return lambda: GraphQLClient(Client(), path, relay=path.endswith("relay"))


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call on its own thread, all released at once; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def work(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=TIMEOUT_SECONDS)
            results[index] = call()
        except BaseException as exc:  # reported below, on the test's thread
            failures.append(exc)
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=work, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not failures, failures
    return results


@pytest.fixture
def slow_reset() -> Iterator[list[Any]]:
    """Make each reset that gets as far as pre_password_reset hold its lock for a moment; the
    list records whose reset got that far."""
    reached: list[Any] = []

    def receiver(user: Any, **kwargs: Any) -> None:
        reached.append(user.pk)
        time.sleep(HOLD_SECONDS)

    pre_password_reset.connect(receiver, dispatch_uid="tests-concurrency-slow")
    yield reached
    pre_password_reset.disconnect(dispatch_uid="tests-concurrency-slow")


def test_two_concurrent_confirms_with_one_token_yield_one_ok(
    new_client: Callable[[], GraphQLClient], user: Any, captured: Any, slow_reset: list[Any]
) -> None:
    assert new_client().request_reset(email_of(user))["ok"] is True
    key = captured.last_key
    passwords = ["First-racer-Passw0rd", "Second-racer-Passw0rd"]
    clients = [new_client(), new_client()]

    results = run_together(
        [
            lambda: clients[0].confirm(key, passwords[0]),
            lambda: clients[1].confirm(key, passwords[1]),
        ]
    )

    oks = [result["ok"] for result in results]
    assert sorted(oks) == [False, True], results
    loser = results[oks.index(False)]
    assert [(e["field"], e["code"]) for e in loser["errors"]] == [("token", "INVALID_TOKEN")]
    # Only the winner reached the reset; the stored password is the winner's.
    assert len(slow_reset) == 1
    stored = get_user_model()._default_manager.get(pk=user.pk)
    assert stored.check_password(passwords[oks.index(True)])
    assert not stored.check_password(passwords[oks.index(False)])
    assert not ResetPasswordToken.objects.filter(user_id=user.pk).exists()


def test_concurrent_confirms_of_different_users_all_succeed(
    new_client: Callable[[], GraphQLClient], make_user: Any, captured: Any
) -> None:
    # The single-use guard locks one token, not the table.
    users = [make_user(f"racer{n}@example.com") for n in range(3)]
    keys = []
    for user in users:
        assert new_client().request_reset(email_of(user))["ok"] is True
        keys.append(captured.last_key)
    clients = [new_client() for _ in users]

    results = run_together(
        [
            (lambda c=client, k=key: c.confirm(k, "Parallel-reset-Passw0rd"))
            for client, key in zip(clients, keys, strict=True)
        ]
    )

    assert [result["ok"] for result in results] == [True, True, True]
    assert not ResetPasswordToken.objects.exists()


def test_concurrent_failed_attempts_are_all_counted(
    new_client: Callable[[], GraphQLClient], user: Any, captured: Any, settings: Any
) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "MAX_TOKEN_ATTEMPTS": 10,
    }
    assert new_client().request_reset(email_of(user))["ok"] is True
    clients = [new_client() for _ in range(4)]

    results = run_together(
        [
            (lambda c=client, n=n: c.validate(f"guess-{n}", email_of(user)))
            for n, client in enumerate(clients)
        ]
    )

    assert [result["valid"] for result in results] == [False] * 4
    # No lost update: four wrong guesses at once count four.
    assert ResetPasswordToken.objects.get(user_id=user.pk).failed_attempts == 4


def test_concurrent_failed_attempts_cannot_overshoot_the_limit(
    new_client: Callable[[], GraphQLClient], user: Any, captured: Any, settings: Any
) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "MAX_TOKEN_ATTEMPTS": 3,
    }
    assert new_client().request_reset(email_of(user))["ok"] is True
    key = captured.last_key
    clients = [new_client() for _ in range(6)]

    run_together(
        [
            (lambda c=client, n=n: c.confirm(f"guess-{n}", "Any-new-Passw0rd", email_of(user)))
            for n, client in enumerate(clients)
        ]
    )

    assert not ResetPasswordToken.objects.filter(user_id=user.pk).exists()
    assert new_client().confirm(key, "Any-new-Passw0rd", email_of(user))["ok"] is False


def test_concurrent_requests_for_one_user_leave_one_working_token(
    new_client: Callable[[], GraphQLClient], user: Any, captured: Any
) -> None:
    # Each request deletes the user's old token and inserts a new one; when two interleave, the
    # one-token-per-user constraint makes the later insert fail and that request start again.
    clients = [new_client() for _ in range(4)]
    results = run_together([lambda c=c: c.request_reset(email_of(user)) for c in clients])

    assert [result["ok"] for result in results] == [True] * 4
    assert ResetPasswordToken.objects.filter(user_id=user.pk).count() == 1
    assert len(captured.keys) == 4
    working = [key for key in captured.keys if new_client().validate(key)["valid"]]
    assert len(working) == 1
