"""The token model (only a digest is stored), its live/expired querysets, the read-only admin
and the clearresetpasswordtokens command."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from graphql_passwordreset.models import ResetPasswordToken

from .conftest import GraphQLClient

ADDRESS = "alice@example.com"

pytestmark = pytest.mark.django_db


def make_token(user: Any, *, age: timedelta = timedelta(0)) -> ResetPasswordToken:
    """A stored token ``age`` old, as the request flow would have created it."""
    token = ResetPasswordToken(user=user, created_at=timezone.now() - age)
    token.set_key(secrets.token_urlsafe(24))
    token.save()
    return token


def codes(result: dict[str, Any]) -> list[str]:
    return [error["code"] for error in result["errors"]]


def table_dump() -> str:
    """Every column of every row of the token table, as a database dump would show them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ResetPasswordToken._meta.db_table}")  # noqa: S608
        return repr(cursor.fetchall())


@pytest.fixture
def admin_user(make_user: Any) -> Any:
    """pytest-django's admin_client logs in as this user. Made with make_user, because the
    custom user model signs in with ``handle``, which pytest-django's own fixture cannot fill."""
    return make_user("admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def requested(plain_gql: GraphQLClient, user: Any, captured: Any) -> tuple[ResetPasswordToken, str]:
    """A token requested over GraphQL: the stored row and the plaintext key the user got."""
    assert plain_gql.request_reset(ADDRESS)["ok"] is True
    return ResetPasswordToken.objects.get(), captured.last_key


# --- what is stored ------------------------------------------------------------------------


def test_the_row_stores_a_64_hex_digest(requested: tuple[ResetPasswordToken, str]) -> None:
    token, key = requested
    assert re.fullmatch(r"[0-9a-f]{64}", token.key_digest)
    assert token.key_digest != key


def test_the_plaintext_key_is_nowhere_in_the_table(
    requested: tuple[ResetPasswordToken, str],
) -> None:
    _, key = requested
    assert key not in table_dump()


def test_the_digest_is_keyed_not_a_plain_hash_of_the_key(
    requested: tuple[ResetPasswordToken, str],
) -> None:
    # A plain hash of a short numeric code is reversed by trying every code; a keyed one needs
    # the SECRET_KEY as well.
    token, key = requested
    assert token.key_digest not in {
        hashlib.sha256(key.encode()).hexdigest(),
        hashlib.sha3_256(key.encode()).hexdigest(),
        hashlib.blake2s(key.encode()).hexdigest(),
    }


def test_a_token_loaded_from_the_database_has_no_key(
    requested: tuple[ResetPasswordToken, str],
) -> None:
    token, _ = requested
    assert ResetPasswordToken.objects.get(pk=token.pk).key is None


def test_the_receiver_gets_the_plaintext_key_and_the_user(
    requested: tuple[ResetPasswordToken, str], captured: Any, user: Any
) -> None:
    token, key = requested
    handed_out = captured.calls[-1]["reset_password_token"]
    assert (handed_out.pk, handed_out.key, handed_out.user.pk) == (token.pk, key, user.pk)


def test_str_names_the_user_and_not_the_token(requested: tuple[ResetPasswordToken, str]) -> None:
    token, key = requested
    text = str(token)
    assert str(token.user) in text
    assert key not in text and token.key_digest not in text


def test_the_same_key_gives_the_same_digest_and_another_key_another() -> None:
    first, second, other = ResetPasswordToken(), ResetPasswordToken(), ResetPasswordToken()
    first.set_key("same-key")
    second.set_key("same-key")
    other.set_key("other-key")
    assert first.key_digest == second.key_digest != other.key_digest


# --- SECRET_KEY rotation -------------------------------------------------------------------


def test_a_token_still_works_after_rotation_with_the_old_key_in_fallbacks(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    settings.SECRET_KEY = "the-old-secret-key"
    plain_gql.request_reset(ADDRESS)
    settings.SECRET_KEY = "the-new-secret-key"
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key"]
    assert plain_gql.validate(captured.last_key)["valid"] is True
    assert plain_gql.confirm(captured.last_key)["ok"] is True


def test_a_token_stops_working_after_rotation_without_fallbacks(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    settings.SECRET_KEY = "the-old-secret-key"
    plain_gql.request_reset(ADDRESS)
    settings.SECRET_KEY = "the-new-secret-key"
    settings.SECRET_KEY_FALLBACKS = []
    assert codes(plain_gql.validate(captured.last_key)) == ["INVALID_TOKEN"]
    assert codes(plain_gql.confirm(captured.last_key)) == ["INVALID_TOKEN"]


def test_a_new_token_is_digested_with_the_current_secret_key(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    settings.SECRET_KEY = "the-new-secret-key"
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key"]
    plain_gql.request_reset(ADDRESS)
    # Once the old key is dropped from the fallbacks, the new token keeps working.
    settings.SECRET_KEY_FALLBACKS = []
    assert plain_gql.validate(captured.last_key)["valid"] is True


# --- relations and constraints -------------------------------------------------------------


def test_the_reverse_relation_is_graphql_password_reset_tokens(
    requested: tuple[ResetPasswordToken, str], user: Any
) -> None:
    token, _ = requested
    assert list(user.graphql_password_reset_tokens.all()) == [token]
    field = ResetPasswordToken._meta.get_field("user")
    assert field.remote_field.related_name == "graphql_password_reset_tokens"


def test_a_user_holds_at_most_one_token_row(user: Any) -> None:
    make_token(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_token(user)


def test_deleting_the_user_deletes_the_tokens(requested: tuple[ResetPasswordToken, str]) -> None:
    token, _ = requested
    token.user.delete()
    assert not ResetPasswordToken.objects.exists()


# --- live() and expired() ------------------------------------------------------------------


@pytest.fixture
def three_tokens(make_user: Any) -> dict[str, ResetPasswordToken]:
    return {
        "fresh": make_token(make_user("fresh@example.com")),
        "old": make_token(make_user("old@example.com"), age=timedelta(hours=23)),
        "expired": make_token(make_user("expired@example.com"), age=timedelta(hours=25)),
    }


def test_live_holds_the_tokens_younger_than_the_expiry(
    three_tokens: dict[str, ResetPasswordToken],
) -> None:
    live = set(ResetPasswordToken.objects.live())
    assert live == {three_tokens["fresh"], three_tokens["old"]}


def test_expired_holds_the_tokens_older_than_the_expiry(
    three_tokens: dict[str, ResetPasswordToken],
) -> None:
    assert list(ResetPasswordToken.objects.expired()) == [three_tokens["expired"]]


def test_live_and_expired_follow_the_expiry_setting(
    settings: Any, three_tokens: dict[str, ResetPasswordToken]
) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "TOKEN_EXPIRY_HOURS": 1,
    }
    assert list(ResetPasswordToken.objects.live()) == [three_tokens["fresh"]]
    assert set(ResetPasswordToken.objects.expired()) == {
        three_tokens["old"],
        three_tokens["expired"],
    }


def test_live_and_expired_chain_with_other_filters(
    three_tokens: dict[str, ResetPasswordToken],
) -> None:
    old = three_tokens["old"]
    assert list(ResetPasswordToken.objects.filter(user=old.user).live()) == [old]
    assert not ResetPasswordToken.objects.filter(user=old.user).expired().exists()


# --- admin ---------------------------------------------------------------------------------


def changelist_url() -> str:
    return reverse("admin:graphql_passwordreset_resetpasswordtoken_changelist")


def change_url(token: ResetPasswordToken) -> str:
    return reverse("admin:graphql_passwordreset_resetpasswordtoken_change", args=[token.pk])


def test_admin_changelist_renders_without_the_key_or_digest(
    admin_client: Client, requested: tuple[ResetPasswordToken, str]
) -> None:
    token, key = requested
    response = admin_client.get(changelist_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert str(token.user) in content
    assert key not in content and token.key_digest not in content


def test_admin_change_page_renders_without_the_key_or_digest(
    admin_client: Client, requested: tuple[ResetPasswordToken, str]
) -> None:
    token, key = requested
    response = admin_client.get(change_url(token))
    assert response.status_code == 200
    content = response.content.decode()
    assert str(token.user) in content
    assert key not in content and token.key_digest not in content


def test_admin_change_page_is_read_only(
    admin_client: Client, requested: tuple[ResetPasswordToken, str]
) -> None:
    token, _ = requested
    content = admin_client.get(change_url(token)).content.decode()
    for name in ("user", "created_at", "ip_address", "user_agent", "failed_attempts"):
        assert f'name="{name}"' not in content


def test_admin_refuses_to_save_a_change(
    admin_client: Client, requested: tuple[ResetPasswordToken, str]
) -> None:
    token, _ = requested
    response = admin_client.post(
        change_url(token), {"user_agent": "edited", "failed_attempts": "0", "ip_address": ""}
    )
    assert response.status_code == 403
    assert ResetPasswordToken.objects.get().user_agent == token.user_agent


def test_admin_add_is_forbidden(admin_client: Client, user: Any) -> None:
    url = reverse("admin:graphql_passwordreset_resetpasswordtoken_add")
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"user": str(user.pk)}).status_code == 403
    assert not ResetPasswordToken.objects.exists()
    assert url not in admin_client.get(changelist_url()).content.decode()


def test_admin_delete_revokes_the_token(
    admin_client: Client,
    plain_gql: GraphQLClient,
    requested: tuple[ResetPasswordToken, str],
) -> None:
    token, key = requested
    url = reverse("admin:graphql_passwordreset_resetpasswordtoken_delete", args=[token.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not ResetPasswordToken.objects.exists()
    assert codes(plain_gql.validate(key)) == ["INVALID_TOKEN"]


def test_admin_bulk_delete_action_works(
    admin_client: Client, three_tokens: dict[str, ResetPasswordToken]
) -> None:
    chosen = [three_tokens["fresh"].pk, three_tokens["expired"].pk]
    response = admin_client.post(
        changelist_url(),
        {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
    )
    assert response.status_code == 302
    assert list(ResetPasswordToken.objects.all()) == [three_tokens["old"]]


def test_admin_search_finds_tokens_by_the_users_address(
    admin_client: Client, three_tokens: dict[str, ResetPasswordToken]
) -> None:
    response = admin_client.get(changelist_url(), {"q": "expired@example"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [three_tokens["expired"]]


def test_admin_is_closed_to_staff_without_permissions(
    client: Client, make_user: Any, requested: tuple[ResetPasswordToken, str]
) -> None:
    client.force_login(make_user("staff@example.com", is_staff=True))
    assert client.get(changelist_url()).status_code == 403


# --- clearresetpasswordtokens --------------------------------------------------------------


def clear() -> str:
    out = StringIO()
    call_command("clearresetpasswordtokens", stdout=out, no_color=True)
    return out.getvalue().strip()


def test_command_deletes_only_expired_tokens(three_tokens: dict[str, ResetPasswordToken]) -> None:
    assert clear() == "Deleted 1 expired password reset token."
    assert set(ResetPasswordToken.objects.all()) == {three_tokens["fresh"], three_tokens["old"]}


def test_command_counts_in_the_plural(make_user: Any) -> None:
    live = make_token(make_user("live@example.com"))
    for number in range(3):
        make_token(make_user(f"gone{number}@example.com"), age=timedelta(days=number + 2))
    assert clear() == "Deleted 3 expired password reset tokens."
    assert list(ResetPasswordToken.objects.all()) == [live]


def test_command_with_nothing_to_delete(user: Any) -> None:
    make_token(user)
    assert clear() == "Deleted 0 expired password reset tokens."
    assert ResetPasswordToken.objects.count() == 1


def test_command_follows_the_expiry_setting(
    settings: Any, three_tokens: dict[str, ResetPasswordToken]
) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "TOKEN_EXPIRY_HOURS": 1,
    }
    assert clear() == "Deleted 2 expired password reset tokens."
    assert list(ResetPasswordToken.objects.all()) == [three_tokens["fresh"]]
