"""Bounded work per request: past MAX_FIELDS_PER_REQUEST password-reset fields in one request,
each further field answers THROTTLED at once, with no cache or database round trip, and only
the fields that ran count against RATES. Over HTTP, against the plain and the Relay schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from graphql_passwordreset.mixins import MAX_FIELDS_PER_REQUEST

from .conftest import NEW_PASSWORD, CapturedTokens, GraphQLClient, email_of

LIMIT = MAX_FIELDS_PER_REQUEST
THROTTLED = [{"code": "THROTTLED", "field": None}]


class CountingCache(LocMemCache):
    """The locmem cache, counting every call the throttles could make."""

    calls = 0

    def _count(self) -> None:
        type(self).calls += 1

    def add(self, *args: Any, **kwargs: Any) -> bool:
        self._count()
        return super().add(*args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self._count()
        return super().get(*args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._count()
        super().set(*args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        self._count()
        return super().incr(*args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        self._count()
        return super().touch(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        self._count()
        return super().delete(*args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        self._count()
        return super().has_key(*args, **kwargs)


@pytest.fixture
def counting_cache(settings: Any) -> type[CountingCache]:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.CountingCache"}}
    caches["default"].clear()
    CountingCache.calls = 0
    return CountingCache


def field(gql: GraphQLClient, operation: str, number: int, **arguments: str) -> str:
    """One aliased field ``a<number>`` of ``operation``, in the schema's own argument style
    (the Relay mutations take ``input``)."""
    given = ", ".join(f'{name}: "{value}"' for name, value in arguments.items())
    if gql.relay and operation != "validateResetToken":
        given = f'input: {{{given}, clientMutationId: "a{number}"}}'
    result = "valid" if operation == "validateResetToken" else "ok"
    return f"a{number}: {operation}({given}) {{ {result} errors {{ code field }} }}"


def document(gql: GraphQLClient, fields: list[str]) -> str:
    kind = "query" if all("validateResetToken(" in entry for entry in fields) else "mutation"
    return f"{kind} {{ {' '.join(fields)} }}"


def aliases(gql: GraphQLClient, operation: str, count: int) -> str:
    """``count`` aliases of ``operation`` with distinct arguments that find nothing."""
    arguments: Callable[[int], dict[str, str]] = {
        "validateResetToken": lambda n: {"token": f"no-such-token-{n}"},
        "requestPasswordReset": lambda n: {"email": f"nobody{n}@example.com"},
        "confirmPasswordReset": lambda n: {"token": f"no-such-token-{n}", "password": NEW_PASSWORD},
    }[operation]
    return document(gql, [field(gql, operation, n, **arguments(n)) for n in range(count)])


def answers(data: dict[str, Any], count: int) -> list[dict[str, Any]]:
    results = [data[f"a{number}"] for number in range(count)]
    for result in results:
        result.pop("clientMutationId", None)
    return results


OPERATIONS = ["validateResetToken", "requestPasswordReset", "confirmPasswordReset"]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_fields_past_the_limit_cost_no_cache_or_database_round_trip(
    gql: GraphQLClient,
    db: None,
    counting_cache: type[CountingCache],
    django_assert_max_num_queries: Any,
    operation: str,
) -> None:
    # What the first LIMIT fields cost...
    with CaptureQueriesContext(connection) as queries:
        gql.execute(aliases(gql, operation, LIMIT))
    cache_calls, statements = counting_cache.calls, len(queries)
    assert cache_calls >= LIMIT  # each of them counted against its rate
    caches["default"].clear()
    counting_cache.calls = 0
    # ...is all that a hundred more add.
    extra = 100
    with django_assert_max_num_queries(statements):
        data = gql.execute(aliases(gql, operation, LIMIT + extra))
    assert counting_cache.calls == cache_calls
    results = answers(data, LIMIT + extra)
    assert all(result["errors"] != THROTTLED for result in results[:LIMIT])
    assert [result["errors"] for result in results[LIMIT:]] == [THROTTLED] * extra


def test_the_first_validations_run_and_the_rest_answer_throttled(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    query = (
        "query($t: String!) { "
        + " ".join(
            f"a{n}: validateResetToken(token: $t) {{ valid errors {{ code field message }} }}"
            for n in range(LIMIT + 3)
        )
        + " }"
    )
    data = gql.execute(query, {"t": key})
    results = answers(data, LIMIT + 3)
    assert results[:LIMIT] == [{"valid": True, "errors": []}] * LIMIT
    for result in results[LIMIT:]:
        [error] = result["errors"]
        assert result["valid"] is False
        assert (error["code"], error["field"]) == ("THROTTLED", None)
        assert error["message"] == "Too many attempts. Please try again later."


def test_the_first_requests_send_their_links_and_the_rest_answer_throttled(
    gql: GraphQLClient, make_user: Any, captured: CapturedTokens
) -> None:
    users = [make_user(f"person{n}@example.com") for n in range(LIMIT + 2)]
    fields = [
        field(gql, "requestPasswordReset", n, email=email_of(person))
        for n, person in enumerate(users)
    ]
    results = answers(gql.execute(document(gql, fields)), LIMIT + 2)
    assert results[:LIMIT] == [{"ok": True, "errors": []}] * LIMIT
    assert results[LIMIT:] == [{"ok": False, "errors": THROTTLED}] * 2
    # Only the first LIMIT users were handed a token.
    assert [call["reset_password_token"].user for call in captured.calls] == users[:LIMIT]


def test_the_first_confirm_resets_and_one_past_the_limit_leaves_its_token_alone(
    gql: GraphQLClient, make_user: Any, issue: Callable[[Any], str]
) -> None:
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    alices, bobs = issue(alice), issue(bob)
    fields = [field(gql, "confirmPasswordReset", 0, token=alices, password=NEW_PASSWORD)]
    fields += [
        field(gql, "confirmPasswordReset", n, token=f"wrong-{n}", password=NEW_PASSWORD)
        for n in range(1, LIMIT)
    ]
    fields.append(field(gql, "confirmPasswordReset", LIMIT, token=bobs, password=NEW_PASSWORD))
    results = answers(gql.execute(document(gql, fields)), LIMIT + 1)
    assert results[0] == {"ok": True, "errors": []}
    invalid = {"ok": False, "errors": [{"code": "INVALID_TOKEN", "field": "token"}]}
    assert results[1:LIMIT] == [invalid] * (LIMIT - 1)
    # Bob's token, presented past the limit, was not even looked at: it still works.
    assert results[LIMIT] == {"ok": False, "errors": THROTTLED}
    assert gql.confirm(bobs)["ok"] is True


def test_the_limit_counts_every_operation_of_the_request_together(
    gql: GraphQLClient, db: None
) -> None:
    half = LIMIT // 2 + 1
    fields = [
        field(gql, "requestPasswordReset", n, email=f"nobody{n}@example.com") for n in range(half)
    ]
    fields += [
        field(gql, "confirmPasswordReset", n, token=f"no-such-token-{n}", password=NEW_PASSWORD)
        for n in range(half, 2 * half)
    ]
    results = answers(gql.execute(document(gql, fields)), 2 * half)
    assert all(result["errors"] != THROTTLED for result in results[:LIMIT])
    assert [result["errors"] for result in results[LIMIT:]] == [THROTTLED] * (2 * half - LIMIT)


def test_only_the_fields_that_ran_count_against_the_rate_and_the_next_request_runs_again(
    gql: GraphQLClient, db: None, configure: Any
) -> None:
    configure(RATES={"validate_ip": f"{LIMIT + 2}/hour"})
    data = gql.execute(aliases(gql, "validateResetToken", LIMIT + 5))
    results = answers(data, LIMIT + 5)
    invalid = [{"code": "INVALID_TOKEN", "field": "token"}]
    assert [result["errors"] for result in results] == [invalid] * LIMIT + [THROTTLED] * 5
    # The limit is per request, and the refused fields spent nothing of the rate: two more
    # validations are left of it.
    data = gql.execute(aliases(gql, "validateResetToken", 3))
    assert [result["errors"] for result in answers(data, 3)] == [invalid, invalid, THROTTLED]
