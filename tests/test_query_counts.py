"""SQL statements per operation over HTTP, pinned so a change that adds a query fails CI.

The budgets are django-rest-passwordreset's own counts for the same work (4, 1 and 5):
requestPasswordReset at most 4 statements in one transaction, validateResetToken exactly 1
statement and no transaction, confirmPasswordReset at most 5 statements in one transaction
(7 when LOGIN_ON_CONFIRM also writes a refresh token: its INSERT, and the check that the new
token's password is the user's, contrib/graphql_jwt.revoke_if_password_changed). The timings
live in the benchmark (``make bench``).

A test runs inside a transaction of its own, so each atomic block of the code under test shows
up as a SAVEPOINT ... RELEASE SAVEPOINT pair (on SQLite the test's BEGIN does not show at all).
Statements are therefore counted without transaction control, and "one transaction" means:
one atomic block, not nested, with every write inside it. A write outside any atomic block
would be a transaction of its own in production (autocommit). Under ATOMIC_REQUESTS (the
custom-user settings) Django's own atomic block wraps the request: the package's block is then
nested in it, and the request is still one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection

from graphql_passwordreset.testing import make_reset_token

from .conftest import CapturedTokens, GraphQLClient, email_of

# django-rest-passwordreset 1.6's statements for the same operations (measured by bench/).
REQUEST_BUDGET = 4
CONFIRM_BUDGET = 5
# What transaction control each budget allows for: one SAVEPOINT and its RELEASE.
CONTROL_PER_TRANSACTION = 2
_SAVEPOINT = re.compile(r"^\s*SAVEPOINT\b", re.I)
_RELEASE_OR_ROLLBACK = re.compile(r"^\s*(RELEASE|ROLLBACK\s+TO)\s+SAVEPOINT\b", re.I)
_OTHER_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK)\b", re.I)
_READ = re.compile(r"^\s*SELECT\b", re.I)


@dataclass
class Statements:
    """One request's SQL, transaction control set apart, and what the operation answered."""

    statements: list[str] = field(default_factory=list)
    atomic_blocks: int = 0
    nested_blocks: int = 0
    writes_outside: list[str] = field(default_factory=list)
    answer: Any = None

    @property
    def transactions(self) -> int:
        return self.atomic_blocks + len(self.writes_outside)

    def describe(self) -> str:
        return "\n".join(self.statements)


def classify(captured: list[dict[str, Any]]) -> Statements:
    result = Statements()
    depth = 0
    for query in captured:
        sql = query["sql"]
        if _SAVEPOINT.match(sql):
            if depth:
                result.nested_blocks += 1
            else:
                result.atomic_blocks += 1
            depth += 1
        elif _RELEASE_OR_ROLLBACK.match(sql):
            # ROLLBACK TO leaves the savepoint in place; Django releases it afterwards.
            if sql.lstrip().upper().startswith("RELEASE"):
                depth -= 1
        elif _OTHER_CONTROL.match(sql):
            continue
        else:
            result.statements.append(sql)
            if depth == 0 and not _READ.match(sql):
                result.writes_outside.append(sql)
    return result


def request_is_atomic() -> bool:
    return bool(connection.settings_dict.get("ATOMIC_REQUESTS"))


@pytest.fixture
def measure(
    django_assert_max_num_queries: Callable[..., Any],
) -> Callable[..., Statements]:
    """Run ``operation`` under a budget of ``statements`` real statements plus the control
    statements of the ``blocks`` atomic blocks the package may open (and of the request's own,
    under ATOMIC_REQUESTS), and return what it sent and answered."""

    def run(operation: Callable[[], Any], statements: int, blocks: int) -> Statements:
        budget = statements + CONTROL_PER_TRANSACTION * (blocks + request_is_atomic())
        with django_assert_max_num_queries(budget) as context:
            answer = operation()
        sent = classify(context.captured_queries)
        sent.answer = answer
        return sent

    return run


def assert_blocks(sent: Statements, blocks: int) -> None:
    """The package opened ``blocks`` atomic blocks, none nested in another of its own, and
    wrote nothing outside them: the operation is ``blocks`` transactions (or part of the
    request's one, under ATOMIC_REQUESTS)."""
    assert sent.writes_outside == [], sent.describe()
    if request_is_atomic():
        assert (sent.atomic_blocks, sent.nested_blocks) == (1, blocks), sent
    else:
        assert (sent.atomic_blocks, sent.nested_blocks) == (blocks, 0), sent


def test_request_for_a_known_address(
    gql: GraphQLClient, user: Any, captured: CapturedTokens, measure: Callable[..., Statements]
) -> None:
    sent = measure(lambda: gql.request_reset(email_of(user)), statements=REQUEST_BUDGET, blocks=1)
    assert len(captured.calls) == 1  # the operation really created a token
    assert len(sent.statements) <= REQUEST_BUDGET, sent.describe()
    assert_blocks(sent, 1)


def test_request_for_an_unknown_address(
    gql: GraphQLClient,
    user: Any,
    captured: CapturedTokens,
    measure: Callable[..., Statements],
) -> None:
    known = measure(lambda: gql.request_reset(email_of(user)), statements=REQUEST_BUDGET, blocks=1)
    unknown = measure(
        lambda: gql.request_reset("nobody@example.com"), statements=REQUEST_BUDGET, blocks=1
    )
    assert len(captured.calls) == 1  # only the known address got a token
    assert len(unknown.statements) <= REQUEST_BUDGET, unknown.describe()
    assert_blocks(unknown, 1)
    # An unknown address costs the database no more than a known one.
    assert len(unknown.statements) <= len(known.statements), (
        unknown.describe(),
        known.describe(),
    )


def test_validate_is_one_select_and_no_transaction(
    gql: GraphQLClient,
    user: Any,
    measure: Callable[..., Statements],
) -> None:
    key = make_reset_token(user)
    sent = measure(lambda: gql.validate(key), statements=1, blocks=0)
    assert sent.answer == {"valid": True, "errors": [], "username": None, "email": None}
    assert len(sent.statements) == 1, sent.describe()
    assert _READ.match(sent.statements[0])
    assert_blocks(sent, 0)


def test_confirm_is_one_transaction(
    gql: GraphQLClient,
    user: Any,
    measure: Callable[..., Statements],
) -> None:
    key = make_reset_token(user)
    sent = measure(lambda: gql.confirm(key), statements=CONFIRM_BUDGET, blocks=1)
    assert sent.answer["ok"] is True, sent.answer
    assert len(sent.statements) <= CONFIRM_BUDGET, sent.describe()
    assert_blocks(sent, 1)


def test_classify_sees_writes_outside_a_transaction() -> None:
    """The check above can fail: a write with no SAVEPOINT around it is counted as its own
    transaction, a nested SAVEPOINT as nesting."""
    sent = classify(
        [
            {"sql": "SELECT 1"},
            {"sql": 'UPDATE "t" SET x = 1'},
            {"sql": 'SAVEPOINT "s1"'},
            {"sql": 'SAVEPOINT "s2"'},
            {"sql": 'DELETE FROM "t"'},
            {"sql": 'RELEASE SAVEPOINT "s2"'},
            {"sql": 'RELEASE SAVEPOINT "s1"'},
        ]
    )
    assert len(sent.statements) == 3
    assert sent.writes_outside == ['UPDATE "t" SET x = 1']
    assert (sent.atomic_blocks, sent.nested_blocks, sent.transactions) == (1, 1, 2)


def test_confirm_signing_the_user_in_stays_within_the_budget(
    gql: GraphQLClient,
    user: Any,
    configure: Callable[..., None],
    measure: Callable[..., Statements],
) -> None:
    """LOGIN_ON_CONFIRM adds the new refresh token's INSERT and its password check (a SELECT of
    the already locked user row, in a savepoint): two statements over the budget."""
    configure(LOGIN_ON_CONFIRM=True)
    key = make_reset_token(user)
    sent = measure(lambda: gql.confirm(key), statements=CONFIRM_BUDGET + 2, blocks=2)
    assert sent.answer["ok"] is True and sent.answer["refreshToken"], sent.answer
    assert len(sent.statements) <= CONFIRM_BUDGET + 2, sent.describe()
    # the refresh token is written, and checked in a savepoint, inside the reset's transaction
    assert sent.writes_outside == [], sent.describe()
    assert sent.atomic_blocks == 1, sent
