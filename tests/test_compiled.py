"""CompiledSelect: the user and token lookups whose SQL the ORM builds once per connection.

What it returns must be what the queryset returns; a queryset whose SQL is not a function of
its shape alone must not be compiled; and the operations must work the same without it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from graphql_passwordreset import compiled
from graphql_passwordreset.compiled import CompiledSelect
from graphql_passwordreset.models import ResetPasswordToken

from .conftest import NEW_PASSWORD, GraphQLClient, email_of, reload, user_fields

pytestmark = pytest.mark.django_db


def by_address(values: list[str]) -> Any:
    return get_user_model()._default_manager.filter(
        **{f"{user_fields()['email']}__iexact": values[0]}
    )


def test_fetch_gives_the_instances_the_queryset_gives(make_user: Any) -> None:
    alice = make_user("Alice@Example.com")
    make_user("bob@example.com")
    select = CompiledSelect.on(
        connections[DEFAULT_DB_ALIAS],  # the connection itself, not django.db's proxy
        ("test", "users by address"),
        by_address,
        1,
        connection.ops.prep_for_iexact_query,
    )
    assert select is not None
    for _ in range(2):  # compiled once, run twice
        [fetched] = select.fetch(["alice@example.COM"])
        [expected] = by_address(["alice@example.COM"])
        assert type(fetched) is type(expected)
        assert fetched.pk == alice.pk
        # Every field, through the same converters (a UUID key stays a UUID on SQLite too).
        for field in get_user_model()._meta.concrete_fields:
            assert getattr(fetched, field.attname) == getattr(expected, field.attname)
        assert fetched._state.adding is False and fetched._state.db == "default"
    assert select.fetch(["nobody@example.com"]) == []


def test_related_rows_come_filled_in(make_user: Any, issue: Any) -> None:
    alice = make_user("alice@example.com")
    key = issue(alice)
    with CaptureQueriesContext(connection) as queries:
        token = ResetPasswordToken.objects.find(key)
        assert token is not None
        assert email_of(token.user) == "alice@example.com"  # no second query for the user
    assert len(queries) == 1
    assert token.user.pk == alice.pk


@pytest.mark.parametrize("lookup", ["startswith", "istartswith", "contains", "endswith"])
def test_a_queryset_that_rewrites_its_values_is_not_compiled(lookup: str) -> None:
    """startswith turns "v" into "v%": reusing that SQL with new values would be wrong."""

    def build(values: list[str]) -> Any:
        return get_user_model()._default_manager.filter(
            **{f"{user_fields()['email']}__{lookup}": values[0]}
        )

    default = connections[DEFAULT_DB_ALIAS]
    prepare = default.ops.prep_for_iexact_query
    assert CompiledSelect.on(default, ("test", lookup), build, 1, prepare) is None


def test_the_operations_work_without_compiled_lookups(
    gql: GraphQLClient, make_user: Any, captured: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain-ORM path the lookups fall back to (a filtering user manager, a Django that
    compiles otherwise) gives the same answers."""
    monkeypatch.setattr(compiled.CompiledSelect, "on", classmethod(lambda cls, *a, **k: None))
    alice = make_user("alice@example.com")
    assert gql.request_reset("ALICE@example.com")["ok"] is True
    key = captured.last_key
    assert gql.validate(key)["valid"] is True
    assert gql.confirm(key)["ok"] is True
    assert reload(alice).check_password(NEW_PASSWORD)
    assert gql.validate(key)["valid"] is False


def test_find_on_a_filtered_queryset_keeps_its_filters(make_user: Any, issue: Any) -> None:
    """The compiled lookup serves objects.find(); live().find() and expired().find() must still
    answer by their own filters, before and after the compiled one was built."""
    key = issue(make_user("alice@example.com"))
    assert ResetPasswordToken.objects.find(key) is not None  # compiled and kept
    assert ResetPasswordToken.objects.live().find(key) is not None
    assert ResetPasswordToken.objects.expired().find(key) is None
    ResetPasswordToken.objects.update(created_at=timezone.now() - timedelta(days=30))
    assert ResetPasswordToken.objects.find(key) is not None
    assert ResetPasswordToken.objects.live().find(key) is None
    assert ResetPasswordToken.objects.expired().find(key) is not None


def test_a_changed_lookup_field_is_looked_up_after_another_was_compiled(
    gql: GraphQLClient, make_user: Any, captured: Any, configure: Any
) -> None:
    """Compiled lookups are kept per connection for the life of the process; one built for the
    e-mail field must not answer once LOOKUP_FIELD names another field, nor the other way
    round."""
    alice = make_user("alice@example.com", username="alice-handle")
    assert gql.request_reset("alice@example.com")["ok"] is True  # the e-mail lookup, compiled
    configure(LOOKUP_FIELD=user_fields()["username"])
    assert gql.request_reset("ALICE-HANDLE")["ok"] is True
    assert gql.request_reset("alice@example.com")["ok"] is True  # no such username
    configure(LOOKUP_FIELD=user_fields()["email"])
    assert gql.request_reset("alice-handle")["errors"][0]["code"] == "INVALID_EMAIL"
    assert gql.request_reset("Alice@Example.com")["ok"] is True
    assert [call["reset_password_token"].user.pk for call in captured.calls] == [alice.pk] * 3
