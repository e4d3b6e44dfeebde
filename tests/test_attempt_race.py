"""Concurrent wrong guesses of a scoped token: no token ever has more than MAX_TOKEN_ATTEMPTS
wrong guesses judged, however many arrive at once, and then it is gone (attempts.judge_guess).

Each guess runs on a thread of its own with its own database connection, so these need a
database the threads share: PostgreSQL, MariaDB, or SQLite in a file (DB=sqlite-file, with
transactions that start IMMEDIATE, as the docs advise).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from graphql_passwordreset import attempts
from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.testing import make_reset_token

from .conftest import GraphQLClient, email_of

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30


@pytest.fixture(autouse=True)
def _shared_database() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a shared database: DB=sqlite-file, postgres or mariadb")


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every comparison of a presented key with a stored digest, as it happens."""
    seen: list[str] = []
    lock = threading.Lock()
    compare = attempts.constant_time_compare

    def counting(stored: str, presented: str) -> bool:
        with lock:
            seen.append(stored)
        return compare(stored, presented)

    monkeypatch.setattr(attempts, "constant_time_compare", counting)
    return seen


def guess_all_at_once(keys: list[str], address: str) -> list[dict[str, Any]]:
    barrier = threading.Barrier(len(keys))
    answers: list[Any] = [None] * len(keys)

    def guess(index: int, key: str) -> None:
        try:
            barrier.wait(TIMEOUT)
            answers[index] = GraphQLClient(Client(), "/graphql", relay=False).validate(key, address)
        except BaseException as exc:
            answers[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=item) for item in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    return answers


@pytest.mark.parametrize("limit", [1, 3, 5])
def test_concurrent_wrong_guesses_never_exceed_the_limit(
    user: Any, settings: Any, judged: list[str], limit: int
) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "MAX_TOKEN_ATTEMPTS": limit,
        "RATES": {"validate_ip": None},
    }
    key = make_reset_token(user)
    answers = guess_all_at_once([f"wrong-{n}" for n in range(limit + 7)], email_of(user))
    assert all(answer == {**answer, "valid": False} for answer in answers), answers
    # exactly the limit: each judged guess is counted, and none is judged past it
    assert len(judged) == limit
    assert not ResetPasswordToken.objects.filter(user=user).exists()
    assert (
        GraphQLClient(Client(), "/graphql", relay=False).validate(key, email_of(user))["valid"]
        is False
    )


def test_the_right_key_among_concurrent_wrong_ones_is_judged_within_the_limit(
    user: Any, settings: Any, judged: list[str]
) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "MAX_TOKEN_ATTEMPTS": 3,
        "RATES": {"validate_ip": None},
    }
    key = make_reset_token(user)
    answers = guess_all_at_once([f"wrong-{n}" for n in range(8)] + [key], email_of(user))
    valid = [answer for answer in answers if answer.get("valid")]
    wrong_judged = len(judged) - len(valid)
    assert 1 <= wrong_judged <= 3
    # the right key was judged valid exactly when it came before the third wrong guess
    assert len(valid) in (0, 1)
