"""requestPasswordReset over GraphQL/HTTP (API.md sections 2, 3 and 4), on the plain and the
Relay schema: success and the signal, the address lookup, eligibility and information
leakage, one live token per user, audit data, redirect URLs, failing receivers, throttling,
and the request cases of django-rest-passwordreset's own suite. Bad input lives in
test_request_inputs.py."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.db.models.signals import post_init
from django.http import HttpRequest
from django.utils import timezone

from graphql_passwordreset import mutations, relay
from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.signals import reset_password_token_created

from .conftest import GraphQLClient, PinnedClock, user_fields

pytestmark = pytest.mark.django_db

OK = {"ok": True, "errors": []}
ALLOWED_HOSTS = ["app.example.com", ".example.org"]


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> PinnedClock:
    pinned = PinnedClock()
    monkeypatch.setattr("graphql_passwordreset.throttling.time", pinned)
    return pinned


def configure(settings: Any, **values: Any) -> None:
    """Set GRAPHQL_PASSWORDRESET keys, keeping what the settings module set (LOOKUP_FIELD)."""
    settings.GRAPHQL_PASSWORDRESET = {**getattr(settings, "GRAPHQL_PASSWORDRESET", {}), **values}


def email_of(user: Any) -> str:
    return str(getattr(user, user_fields()["email"]))


def answer(gql: GraphQLClient, email: str, redirect_url: str | None = None, **extra: Any) -> Any:
    """The payload of one requestPasswordReset, without Relay's echoed clientMutationId."""
    result = gql.request_reset(email, redirect_url, **extra)
    result.pop("clientMutationId", None)
    return result


def post_request(gql: GraphQLClient, email: str, redirect_url: str | None = None, **extra: Any):
    """The raw HTTP response to one requestPasswordReset, to compare answers byte for byte."""
    args: dict[str, Any] = {"email": email}
    if redirect_url is not None:
        args["redirectUrl"] = redirect_url
    if gql.relay:
        query = (
            "mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) "
            "{ ok errors { field message code } clientMutationId } }"
        )
        return gql.post(query, {"input": {**args, "clientMutationId": "cid-1"}}, **extra)
    query = (
        "mutation($email: String!, $redirectUrl: String) "
        "{ requestPasswordReset(email: $email, redirectUrl: $redirectUrl) "
        "{ ok errors { field message code } } }"
    )
    return gql.post(query, args, **extra)


def assert_error(result: dict[str, Any], code: str, field: str | None) -> None:
    assert result["ok"] is False
    assert [(error["code"], error["field"]) for error in result["errors"]] == [(code, field)]
    assert all(error["message"] for error in result["errors"])


def token_of(user: Any) -> ResetPasswordToken:
    return ResetPasswordToken.objects.get(user=user)


def age_tokens(hours: float, **lookup: Any) -> None:
    """Move tokens back in time, as if they had been created ``hours`` ago."""
    ResetPasswordToken.objects.filter(**lookup).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


# --- success -------------------------------------------------------------------------------


def test_known_address_answers_ok_without_errors(gql: GraphQLClient, user: Any) -> None:
    assert answer(gql, "alice@example.com") == OK


def test_exactly_one_token_row_for_the_user_who_asked(gql: GraphQLClient, make_user: Any) -> None:
    alice = make_user("alice@example.com")
    bob = make_user("bob@example.com")
    answer(gql, "alice@example.com")
    assert ResetPasswordToken.objects.filter(user=alice).count() == 1
    assert not ResetPasswordToken.objects.filter(user=bob).exists()


def test_signal_receives_the_documented_arguments(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    answer(gql, "alice@example.com", HTTP_X_PROBE="probe-1")
    assert len(captured.calls) == 1
    call = captured.calls[0]
    assert set(call) == {
        "signal",
        "sender",
        "instance",
        "reset_password_token",
        "request",
        "reset_url",
    }
    assert call["sender"] is (
        relay.RequestPasswordReset if gql.relay else mutations.RequestPasswordReset
    )
    request = call["request"]
    assert isinstance(request, HttpRequest)
    assert request.path == gql.path
    assert request.META["HTTP_X_PROBE"] == "probe-1"  # the very request the client sent
    assert call["instance"].request is request
    token = call["reset_password_token"]
    assert isinstance(token, ResetPasswordToken)
    assert token.user.pk == user.pk
    assert ResetPasswordToken.objects.filter(pk=token.pk).exists()
    assert call["reset_url"] is None  # neither redirectUrl nor RESET_URL
    # The plaintext .key is the working token.
    assert isinstance(token.key, str) and token.key
    assert gql.validate(token.key)["valid"] is True


def test_token_row_stores_a_digest_never_the_plaintext_key(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    answer(gql, "alice@example.com")
    key = captured.last_key
    table = connection.ops.quote_name(ResetPasswordToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # what a database dump would show
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert all(key not in str(value) for value in rows[0])
    stored = ResetPasswordToken.objects.get()
    assert stored.key is None  # a token loaded from the database has no plaintext
    assert stored.key_digest and stored.key_digest != key


# --- lookup --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "ALICE@Example.COM",
        "  alice@example.com  ",
        "\talice@example.com\n",
        "ａｌｉｃｅ@example.com",  # fullwidth letters: NFKC makes them ASCII
        "alice@ｅｘａｍｐｌｅ.ｃｏｍ",
        "ＡＬＩＣＥ@ＥＸＡＭＰＬＥ.ＣＯＭ",
    ],
)
def test_lookup_ignores_case_whitespace_and_compatibility_forms(
    gql: GraphQLClient, user: Any, captured: Any, typed: str
) -> None:
    assert answer(gql, typed) == OK
    assert token_of(user)
    assert [call["reset_password_token"].user.pk for call in captured.calls] == [user.pk]


def test_token_user_carries_the_stored_address_not_the_typed_one(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    # Receivers send to reset_password_token.user (the CVE-2019-19844 lesson).
    answer(gql, "ALICE@EXAMPLE.COM")
    assert email_of(captured.calls[0]["reset_password_token"].user) == "alice@example.com"


def test_dotless_i_homoglyph_does_not_match(gql: GraphQLClient, user: Any, captured: Any) -> None:
    # "ı".upper() == "I": a case-insensitive database match, but casefold keeps them apart.
    assert answer(gql, "alıce@example.com") == OK  # the answer for any unknown address
    assert not ResetPasswordToken.objects.exists()
    assert captured.calls == []


@pytest.mark.parametrize(
    ("lookup", "typed"),
    [
        ("email", "al_ce@example.com"),
        ("email", "%@example.com"),
        ("email", "_lice@example.com"),
        ("username", "%"),
        ("username", "_____"),
    ],
)
def test_like_wildcards_in_an_address_match_only_themselves(
    gql: GraphQLClient, make_user: Any, captured: Any, settings: Any, lookup: str, typed: str
) -> None:
    # SQLite and MariaDB compare iexact with LIKE: "_" and "%" must be escaped, not patterns.
    # The Python comparison after the query would still refuse alice; escaping is what keeps
    # "%" from loading every account (the database must not even return her row).
    configure(settings, LOOKUP_FIELD=user_fields()[lookup])
    make_user("alice@example.com", username="alice")
    loaded: list[Any] = []

    def count(sender: Any, instance: Any, **kwargs: Any) -> None:
        loaded.append(instance)

    post_init.connect(count, sender=get_user_model())
    try:
        for _ in range(2):  # the first request compiles the lookup, the second reuses it
            assert answer(gql, typed) == OK
    finally:
        post_init.disconnect(count, sender=get_user_model())
    assert loaded == []
    assert not ResetPasswordToken.objects.exists()
    assert captured.calls == []


def test_a_user_manager_that_filters_is_obeyed(
    gql: GraphQLClient, make_user: Any, captured: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup goes through the user model's default manager, as Django's own password reset
    form does: a manager that hides accounts (soft-deleted, another tenant's) hides them here
    too, on every request, not only when the lookup was first built."""
    alice = make_user("alice@example.com")
    make_user("bob@example.com")
    answer(gql, "alice@example.com")  # the plain manager: the lookup is built and kept
    manager_class = type(get_user_model()._default_manager)
    hidden = {"alice@example.com"}

    def get_queryset(manager: Any) -> Any:
        return QuerySet(manager.model, using=manager._db).exclude(
            **{f"{user_fields()['email']}__in": sorted(hidden)}
        )

    monkeypatch.setattr(manager_class, "get_queryset", get_queryset, raising=False)
    captured.calls.clear()
    assert answer(gql, "alice@example.com") == OK
    assert answer(gql, "bob@example.com") == OK
    signalled = [email_of(call["reset_password_token"].user) for call in captured.calls]
    assert signalled == ["bob@example.com"]
    assert token_of(alice)  # the first request's token, untouched by the hidden lookups


def test_every_eligible_user_sharing_an_address_gets_a_token_and_a_signal(
    gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    first = make_user("shared@example.com")
    second = make_user("shared@example.com")
    third = make_user("Shared@Example.COM")
    inactive = make_user("shared@example.com", is_active=False)
    make_user("other@example.com")
    assert answer(gql, "shared@example.com") == OK
    holders = set(ResetPasswordToken.objects.values_list("user", flat=True))
    assert holders == {first.pk, second.pk, third.pk}
    assert inactive.pk not in holders
    signalled = [call["reset_password_token"].user.pk for call in captured.calls]
    assert sorted(map(str, signalled)) == sorted(str(u.pk) for u in (first, second, third))
    # Each user's own key works.
    assert len(set(captured.keys)) == 3
    assert all(gql.validate(key)["valid"] for key in captured.keys)


def test_username_lookup_field_takes_any_non_empty_string(
    gql: GraphQLClient, make_user: Any, captured: Any, settings: Any
) -> None:
    configure(settings, LOOKUP_FIELD=user_fields()["username"])
    alice = make_user("alice@example.com", username="Alice Liddell")
    assert answer(gql, "alice liddell") == OK  # not an e-mail address, matched anyway
    assert [call["reset_password_token"].user.pk for call in captured.calls] == [alice.pk]


def test_username_lookup_field_unknown_name_is_not_an_email_error(
    gql: GraphQLClient, make_user: Any, captured: Any, settings: Any
) -> None:
    configure(settings, LOOKUP_FIELD=user_fields()["username"])
    make_user("alice@example.com", username="alice")
    assert answer(gql, "no such name !") == OK
    # The e-mail address is no longer what is looked up.
    assert answer(gql, "alice@example.com") == OK
    assert captured.calls == []
    assert not ResetPasswordToken.objects.exists()


# --- eligibility and information leakage ---------------------------------------------------


def test_unknown_inactive_and_unusable_addresses_get_the_same_answer_as_a_known_one(
    gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    known = make_user("known@example.com")
    make_user("inactive@example.com", is_active=False)
    make_user("unusable@example.com", password=None)
    responses = {
        address: post_request(gql, f"{address}@example.com")
        for address in ("known", "unknown", "inactive", "unusable")
    }
    first = responses["known"]
    assert first.status_code == 200
    assert first.json()["data"]["requestPasswordReset"]["ok"] is True
    for response in responses.values():
        assert (response.status_code, response.content) == (first.status_code, first.content)
    assert list(ResetPasswordToken.objects.values_list("user", flat=True)) == [known.pk]
    assert len(captured.calls) == 1


@pytest.mark.parametrize("extra", [{"is_active": False}, {"password": None}])
def test_ineligible_user_gets_no_token_and_no_signal(
    gql: GraphQLClient, make_user: Any, captured: Any, extra: dict[str, Any]
) -> None:
    make_user("alice@example.com", **extra)
    assert answer(gql, "alice@example.com") == OK
    assert not ResetPasswordToken.objects.exists()
    assert captured.calls == []


def test_unusable_password_gets_a_token_when_not_required(
    gql: GraphQLClient, make_user: Any, captured: Any, settings: Any
) -> None:
    configure(settings, REQUIRE_USABLE_PASSWORD=False)
    alice = make_user("alice@example.com", password=None)
    assert answer(gql, "alice@example.com") == OK
    assert token_of(alice)
    assert len(captured.calls) == 1


def test_inactive_user_stays_ineligible_when_usable_password_not_required(
    gql: GraphQLClient, make_user: Any, settings: Any
) -> None:
    configure(settings, REQUIRE_USABLE_PASSWORD=False)
    make_user("alice@example.com", password=None, is_active=False)
    assert answer(gql, "alice@example.com") == OK
    assert not ResetPasswordToken.objects.exists()


@pytest.mark.parametrize(
    ("address", "extra"),
    [
        ("nobody@example.com", {}),
        ("alice@example.com", {"is_active": False}),
        ("alice@example.com", {"password": None}),
    ],
    ids=["unknown", "inactive", "unusable-password"],
)
def test_without_leakage_protection_ineligible_addresses_get_user_not_found(
    gql: GraphQLClient, make_user: Any, settings: Any, address: str, extra: dict[str, Any]
) -> None:
    configure(settings, NO_INFORMATION_LEAKAGE=False)
    make_user("alice@example.com", **extra)
    assert_error(answer(gql, address), "USER_NOT_FOUND", "email")
    assert not ResetPasswordToken.objects.exists()


def test_without_leakage_protection_known_address_still_gets_ok(
    gql: GraphQLClient, user: Any, settings: Any
) -> None:
    configure(settings, NO_INFORMATION_LEAKAGE=False)
    assert answer(gql, "alice@example.com") == OK
    assert token_of(user)


def test_without_leakage_protection_shared_address_with_one_eligible_user_is_ok(
    gql: GraphQLClient, make_user: Any, settings: Any
) -> None:
    configure(settings, NO_INFORMATION_LEAKAGE=False)
    eligible = make_user("shared@example.com")
    make_user("shared@example.com", is_active=False)
    assert answer(gql, "shared@example.com") == OK
    assert list(ResetPasswordToken.objects.values_list("user", flat=True)) == [eligible.pk]


# --- one live token per user, expiry -------------------------------------------------------


def test_second_request_replaces_the_first_token(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    answer(gql, "alice@example.com")
    answer(gql, "alice@example.com")
    first, second = captured.keys
    assert first != second
    assert ResetPasswordToken.objects.filter(user=user).count() == 1
    assert gql.validate(first)["valid"] is False  # the older link stops working
    assert gql.validate(second)["valid"] is True


def test_request_leaves_other_users_live_tokens_alone(
    gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    make_user("alice@example.com")
    make_user("bob@example.com")
    answer(gql, "bob@example.com")
    bobs_key = captured.last_key
    answer(gql, "alice@example.com")
    assert ResetPasswordToken.objects.count() == 2
    assert gql.validate(bobs_key)["valid"] is True


def test_request_clears_expired_tokens_of_every_user(
    gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    alice = make_user("alice@example.com")
    bob = make_user("bob@example.com")
    carol = make_user("carol@example.com")
    answer(gql, "bob@example.com")
    answer(gql, "carol@example.com")
    age_tokens(25, user=bob)  # past the default 24 hours
    age_tokens(23, user=carol)  # still live
    answer(gql, "alice@example.com")
    assert set(ResetPasswordToken.objects.values_list("user", flat=True)) == {alice.pk, carol.pk}


def test_request_for_an_unknown_address_also_clears_expired_tokens(
    gql: GraphQLClient, user: Any
) -> None:
    answer(gql, "alice@example.com")
    age_tokens(25)
    answer(gql, "nobody@example.com")
    assert not ResetPasswordToken.objects.exists()


def test_a_request_clears_a_bounded_batch_of_expired_tokens_oldest_first(
    gql: GraphQLClient, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog (after a quiet spell) is not cleared in one request: at most EXPIRED_BATCH
    per request, the oldest first; the management command clears the rest."""
    monkeypatch.setattr("graphql_passwordreset.services.EXPIRED_BATCH", 3)
    users = [make_user(f"user{n}@example.com") for n in range(5)]
    for user in users:
        answer(gql, email_of(user))
    for hours, user in zip([30, 29, 28, 27, 26], users, strict=True):
        age_tokens(hours, user=user)
    alice = make_user("alice@example.com")
    answer(gql, "alice@example.com")  # her own token, and three expired ones
    remaining = set(ResetPasswordToken.objects.values_list("user", flat=True))
    assert remaining == {alice.pk, users[3].pk, users[4].pk}
    answer(gql, "nobody@example.com")
    assert set(ResetPasswordToken.objects.values_list("user", flat=True)) == {alice.pk}


def test_a_users_own_token_is_replaced_whatever_the_backlog(
    gql: GraphQLClient, make_user: Any, captured: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Her expired token is the newest of the backlog, so the batch of one (the oldest) does
    not reach it: it goes because it is hers."""
    monkeypatch.setattr("graphql_passwordreset.services.EXPIRED_BATCH", 1)
    users = [make_user(f"user{n}@example.com") for n in range(3)]
    for user in users:
        answer(gql, email_of(user))
    age_tokens(30)
    age_tokens(26, user=users[0])
    first = captured.keys[0]
    answer(gql, email_of(users[0]))
    assert gql.validate(captured.last_key)["valid"] is True
    assert gql.validate(first)["valid"] is False
    assert ResetPasswordToken.objects.filter(user=users[0]).count() == 1
    # ...and the batch still took one of the others' expired tokens, no more.
    assert ResetPasswordToken.objects.exclude(user=users[0]).count() == 1


def test_token_expiry_hours_setting_decides_what_is_expired(
    gql: GraphQLClient, make_user: Any, settings: Any
) -> None:
    make_user("alice@example.com")
    bob = make_user("bob@example.com")
    answer(gql, "bob@example.com")
    age_tokens(2, user=bob)
    answer(gql, "alice@example.com")
    assert ResetPasswordToken.objects.filter(user=bob).exists()  # 2 h < 24 h
    configure(settings, TOKEN_EXPIRY_HOURS=1)
    answer(gql, "alice@example.com")
    assert not ResetPasswordToken.objects.filter(user=bob).exists()


def test_user_with_an_expired_token_gets_a_fresh_working_one(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    answer(gql, "alice@example.com")
    age_tokens(25)
    answer(gql, "alice@example.com")
    old, new = captured.keys
    assert ResetPasswordToken.objects.filter(user=user).count() == 1
    assert gql.validate(old)["valid"] is False
    assert gql.validate(new)["valid"] is True


# --- IP address and user agent -------------------------------------------------------------


def test_ip_and_user_agent_come_from_the_default_headers(gql: GraphQLClient, user: Any) -> None:
    answer(gql, "alice@example.com", REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="ResetClient/1.0")
    token = token_of(user)
    assert (token.ip_address, token.user_agent) == ("203.0.113.5", "ResetClient/1.0")


def test_custom_ip_header_records_the_first_entry_of_a_list(
    gql: GraphQLClient, user: Any, settings: Any
) -> None:
    configure(settings, IP_ADDRESS_HEADER="HTTP_X_FORWARDED_FOR")
    answer(
        gql,
        "alice@example.com",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2, 10.0.0.3",
    )
    assert token_of(user).ip_address == "198.51.100.7"


def test_custom_user_agent_header_is_recorded(gql: GraphQLClient, user: Any, settings: Any) -> None:
    configure(settings, USER_AGENT_HEADER="HTTP_X_CLIENT_AGENT")
    answer(gql, "alice@example.com", HTTP_USER_AGENT="Browser/1", HTTP_X_CLIENT_AGENT="MobileApp/7")
    assert token_of(user).user_agent == "MobileApp/7"


# --- redirectUrl and reset_url -------------------------------------------------------------


def test_allowed_redirect_url_gets_the_token_in_its_query(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any
) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS)
    assert answer(gql, "alice@example.com", "https://app.example.com/reset") == OK
    assert (
        captured.calls[0]["reset_url"] == f"https://app.example.com/reset?token={captured.last_key}"
    )


@pytest.mark.parametrize(
    "url",
    ["https://reset.example.org/r", "https://deep.sub.example.org/r", "https://example.org/r"],
)
def test_dot_pattern_allows_the_domain_and_its_subdomains(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any, url: str
) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS)
    assert answer(gql, "alice@example.com", url) == OK
    assert captured.calls[0]["reset_url"] == f"{url}?token={captured.last_key}"


def test_reset_url_setting_is_used_without_redirect_url(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any
) -> None:
    configure(settings, RESET_URL="https://app.example.com/reset?lang=en")
    assert answer(gql, "alice@example.com") == OK
    assert captured.calls[0]["reset_url"] == (
        f"https://app.example.com/reset?lang=en&token={captured.last_key}"
    )


def test_redirect_url_wins_over_reset_url_setting(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any
) -> None:
    configure(
        settings,
        RESET_URL="https://default.example.org/reset",
        ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS,
    )
    answer(gql, "alice@example.com", "https://app.example.com/mine")
    assert (
        captured.calls[0]["reset_url"] == f"https://app.example.com/mine?token={captured.last_key}"
    )


def test_reset_url_is_none_without_redirect_url_and_setting(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    answer(gql, "alice@example.com")
    assert captured.calls[0]["reset_url"] is None


def test_reset_url_is_never_built_from_the_host_header(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    assert answer(gql, "alice@example.com", HTTP_HOST="evil.example") == OK
    assert captured.calls[0]["reset_url"] is None
    configure(settings, RESET_URL="https://app.example.com/reset")
    answer(gql, "alice@example.com", HTTP_HOST="evil.example")
    assert urlsplit(captured.calls[1]["reset_url"]).hostname == "app.example.com"


REFUSED_REDIRECT_URLS = [
    "https://evil.com/reset",  # host not allowed
    "https://app.example.com.evil.com/reset",
    "https://evilexample.org/reset",  # not a subdomain of example.org
    "https://evil@app.example.com/reset",  # user info
    "https://user:secret@app.example.com/reset",
    "https://app.example.com@evil.com/reset",
    "http://app.example.com/reset",  # http outside DEBUG
    "javascript:alert(1)",
    "javascript://app.example.com/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://app.example.com/reset",
    "/reset",  # relative
    "reset?next=1",
    "//evil.com/reset",  # protocol-relative
    "//app.example.com/reset",
    "https:\\\\evil.com\\reset",  # backslash tricks
    "https:/\\evil.com/reset",
    "\\\\evil.com/reset",
    "https://app.example.com\\@evil.com/",
    "https://evil.com\\.app.example.com/",
    "https://app.example.com/\nreset",  # control character
    "https://app.example.com:port/reset",
    "https://[app.example.com/reset",
    "https://app.example.com/?next=\ud800",  # lone surrogate: cannot go into a URL
    "https://app.example.com/" + "a" * 10_000,
]


@pytest.mark.parametrize("url", REFUSED_REDIRECT_URLS)
def test_refused_redirect_url_creates_no_token_and_sends_no_signal(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any, url: str
) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS)
    response = post_request(gql, "alice@example.com", url)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert_error(body["data"]["requestPasswordReset"], "INVALID_REDIRECT_URL", "redirectUrl")
    assert not ResetPasswordToken.objects.exists()
    assert captured.calls == []


def test_any_redirect_url_is_refused_when_no_hosts_are_allowed(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    result = answer(gql, "alice@example.com", "https://app.example.com/reset")
    assert_error(result, "INVALID_REDIRECT_URL", "redirectUrl")
    assert not ResetPasswordToken.objects.exists()
    assert captured.calls == []


def test_refused_redirect_url_leaves_the_live_token_working(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any
) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS)
    answer(gql, "alice@example.com")
    key = captured.last_key
    assert_error(
        answer(gql, "alice@example.com", "https://evil.com/"), "INVALID_REDIRECT_URL", "redirectUrl"
    )
    assert gql.validate(key)["valid"] is True


def test_refused_redirect_url_answer_does_not_depend_on_the_address(
    gql: GraphQLClient, user: Any, settings: Any
) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS)
    known = post_request(gql, "alice@example.com", "https://evil.com/")
    unknown = post_request(gql, "nobody@example.com", "https://evil.com/")
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)


def test_http_redirect_url_is_accepted_in_debug(
    gql: GraphQLClient, user: Any, captured: Any, settings: Any
) -> None:
    settings.DEBUG = True
    configure(settings, ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS)
    assert answer(gql, "alice@example.com", "http://app.example.com/reset") == OK
    assert (
        captured.calls[0]["reset_url"] == f"http://app.example.com/reset?token={captured.last_key}"
    )


@pytest.mark.parametrize(
    "url", ["http://evil.com/reset", "http://evil@app.example.com/", "javascript:alert(1)"]
)
def test_debug_does_not_relax_the_other_redirect_rules(
    gql: GraphQLClient, user: Any, settings: Any, url: str
) -> None:
    settings.DEBUG = True
    configure(settings, ALLOWED_REDIRECT_HOSTS=ALLOWED_HOSTS)
    assert_error(answer(gql, "alice@example.com", url), "INVALID_REDIRECT_URL", "redirectUrl")
    assert not ResetPasswordToken.objects.exists()


# --- a receiver that raises ----------------------------------------------------------------


@pytest.fixture
def failing_receiver(captured: Any) -> Any:
    """A receiver that raises (a mail server down), between `captured` and a later receiver;
    yields what the later receiver was handed."""
    later: list[dict[str, Any]] = []

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("mail server down")

    def record(**kwargs: Any) -> None:
        later.append(kwargs)

    reset_password_token_created.connect(fail, weak=False, dispatch_uid="tests-request-fail")
    reset_password_token_created.connect(record, weak=False, dispatch_uid="tests-request-later")
    yield later
    reset_password_token_created.disconnect(dispatch_uid="tests-request-fail")
    reset_password_token_created.disconnect(dispatch_uid="tests-request-later")


def test_failing_receiver_does_not_change_the_answer(
    gql: GraphQLClient, user: Any, failing_receiver: Any
) -> None:
    known = post_request(gql, "alice@example.com")
    unknown = post_request(gql, "nobody@example.com")
    assert known.status_code == 200
    assert known.json()["data"]["requestPasswordReset"]["ok"] is True
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert b"mail server down" not in known.content


def test_failing_receiver_is_logged_with_its_traceback(
    gql: GraphQLClient, user: Any, failing_receiver: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="graphql_passwordreset")
    answer(gql, "alice@example.com")
    records = [
        record
        for record in caplog.records
        if record.name == "graphql_passwordreset" and record.levelno == logging.ERROR
    ]
    assert len(records) == 1
    assert records[0].exc_info is not None
    exc_type, exc, traceback = records[0].exc_info
    assert exc_type is RuntimeError and str(exc) == "mail server down"
    assert traceback is not None


def test_failing_receiver_does_not_stop_the_other_receivers_or_drop_the_token(
    gql: GraphQLClient, user: Any, captured: Any, failing_receiver: Any
) -> None:
    answer(gql, "alice@example.com")
    assert len(captured.calls) == 1  # connected before the failing one
    assert len(failing_receiver) == 1  # connected after it
    assert token_of(user)
    assert gql.validate(captured.last_key)["valid"] is True


# --- throttling ----------------------------------------------------------------------------

# Spellings of one address: the address throttle keys them NFKC + casefold normalised.
ALICE_SPELLINGS = [
    "alice@example.com",
    "ALICE@EXAMPLE.COM",
    "  alice@example.com ",
    "ａｌｉｃｅ@example.com",
    "Alice@Example.com",
]


@pytest.mark.parametrize("sixth", ALICE_SPELLINGS)
def test_sixth_request_for_one_address_in_an_hour_is_throttled(
    gql: GraphQLClient, user: Any, sixth: str
) -> None:
    for spelling in ALICE_SPELLINGS:
        assert answer(gql, spelling) == OK
    assert_error(answer(gql, sixth), "THROTTLED", None)


def test_throttled_request_creates_no_token(gql: GraphQLClient, user: Any, captured: Any) -> None:
    for _ in range(5):
        answer(gql, "alice@example.com")
    key = captured.last_key
    answer(gql, "alice@example.com")
    assert len(captured.calls) == 5
    assert gql.validate(key)["valid"] is True  # not replaced by the refused request


def test_address_throttle_does_not_hold_back_other_addresses(
    gql: GraphQLClient, make_user: Any
) -> None:
    make_user("alice@example.com")
    make_user("bob@example.com")
    for _ in range(6):
        answer(gql, "alice@example.com")
    assert answer(gql, "bob@example.com") == OK


def test_unknown_address_is_throttled_like_a_known_one(gql: GraphQLClient, user: Any) -> None:
    for _ in range(5):
        post_request(gql, "alice@example.com")
        post_request(gql, "nobody@example.com")
    known = post_request(gql, "alice@example.com")
    unknown = post_request(gql, "nobody@example.com")
    assert_error(known.json()["data"]["requestPasswordReset"], "THROTTLED", None)
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)


def test_twenty_first_request_from_one_ip_in_an_hour_is_throttled(gql: GraphQLClient) -> None:
    for number in range(20):
        assert answer(gql, f"person{number}@example.com") == OK
    assert_error(answer(gql, "person20@example.com"), "THROTTLED", None)
    # Another client is not held back.
    assert answer(gql, "person20@example.com", REMOTE_ADDR="198.51.100.20") == OK


def test_ip_limit_set_to_none_is_off_and_other_limits_keep_their_default(
    gql: GraphQLClient, user: Any, settings: Any
) -> None:
    configure(settings, RATES={"request_ip": None})
    for number in range(25):
        assert answer(gql, f"person{number}@example.com") == OK
    # request_address was not given: still 5/hour.
    for _ in range(5):
        assert answer(gql, "alice@example.com") == OK
    assert_error(answer(gql, "alice@example.com"), "THROTTLED", None)


def test_custom_rates_apply(gql: GraphQLClient, user: Any, settings: Any) -> None:
    configure(settings, RATES={"request_address": "2/day"})
    assert answer(gql, "alice@example.com") == OK
    assert answer(gql, "alice@example.com") == OK
    assert_error(answer(gql, "alice@example.com"), "THROTTLED", None)


def aliased_document(gql: GraphQLClient, addresses: list[str]) -> str:
    """One document with one aliased requestPasswordReset field per address."""
    fields = []
    for number, address in enumerate(addresses):
        if gql.relay:
            arguments = f'input: {{email: "{address}", clientMutationId: "a{number}"}}'
        else:
            arguments = f'email: "{address}"'
        fields.append(
            f"a{number}: requestPasswordReset({arguments}) {{ ok errors {{ code field }} }}"
        )
    return "mutation { " + " ".join(fields) + " }"


def test_aliases_in_one_document_do_not_multiply_the_address_allowance(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    data = gql.execute(aliased_document(gql, ["alice@example.com"] * 10))
    results = [data[f"a{number}"] for number in range(10)]
    assert [result["ok"] for result in results] == [True] * 5 + [False] * 5
    assert all(result["errors"] == [{"code": "THROTTLED", "field": None}] for result in results[5:])
    assert len(captured.calls) == 5
    # The allowance is spent.
    assert_error(answer(gql, "alice@example.com"), "THROTTLED", None)


def test_aliases_in_one_document_each_count_against_the_ip_allowance(
    gql: GraphQLClient, settings: Any
) -> None:
    configure(settings, RATES={"request_ip": "10/hour"})
    addresses = [f"person{number}@example.com" for number in range(10)]
    data = gql.execute(aliased_document(gql, addresses))
    assert all(data[f"a{number}"]["ok"] for number in range(10))
    assert_error(answer(gql, "someone.else@example.com"), "THROTTLED", None)


def run_from(gql: GraphQLClient, number: int, **headers: str) -> Any:
    """A request for a fresh address (so only the IP limit can bite) with these headers."""
    return answer(gql, f"person{number}@example.com", **headers)


def test_forged_forwarded_for_does_not_change_the_ip_key_without_trusted_proxies(
    gql: GraphQLClient, settings: Any
) -> None:
    configure(settings, RATES={"request_ip": "2/day"})
    assert run_from(gql, 1, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="1.1.1.1") == OK
    assert run_from(gql, 2, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="2.2.2.2") == OK
    throttled = run_from(gql, 3, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="3.3.3.3")
    assert_error(throttled, "THROTTLED", None)
    # The same forged header from another REMOTE_ADDR is another client.
    assert run_from(gql, 4, REMOTE_ADDR="203.0.113.2", HTTP_X_FORWARDED_FOR="3.3.3.3") == OK


def test_one_trusted_proxy_keys_on_the_last_forwarded_for_entry(
    gql: GraphQLClient, settings: Any
) -> None:
    configure(settings, TRUSTED_PROXY_COUNT=1, RATES={"request_ip": "2/day"})
    # The client forges the first entries; the proxy (REMOTE_ADDR varies) appends the real one.
    assert (
        run_from(gql, 1, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.9") == OK
    )
    assert (
        run_from(gql, 2, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2.2.2.2, 198.51.100.9") == OK
    )
    throttled = run_from(gql, 3, REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert_error(throttled, "THROTTLED", None)
    assert run_from(gql, 4, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.10") == OK


# --- the request cases of django-rest-passwordreset's suite, over GraphQL ------------------


def test_original_request_for_an_unknown_email_creates_nothing(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    assert answer(gql, "nobody@example.com") == OK
    assert not ResetPasswordToken.objects.exists()
    assert captured.calls == []


def test_original_two_users_requesting_in_turn_get_distinct_working_tokens(
    gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    alice = make_user("alice@example.com")
    bob = make_user("bob@example.com")
    answer(gql, "alice@example.com")
    answer(gql, "bob@example.com")
    (alice_call, bob_call) = captured.calls
    assert alice_call["reset_password_token"].user.pk == alice.pk
    assert bob_call["reset_password_token"].user.pk == bob.pk
    assert alice_call["reset_password_token"].key != bob_call["reset_password_token"].key
    assert gql.validate(alice_call["reset_password_token"].key)["valid"] is True
    assert gql.validate(bob_call["reset_password_token"].key)["valid"] is True


def test_original_multiple_requests_leave_one_token_that_is_the_newest(
    gql: GraphQLClient, user: Any, captured: Any
) -> None:
    for _ in range(3):
        answer(gql, "alice@example.com")
    assert ResetPasswordToken.objects.count() == 1
    assert [gql.validate(key)["valid"] for key in captured.keys] == [False, False, True]


class _DriverError(Exception):
    """Stands in for the database driver's exception, which Django wraps."""

    def __init__(self, *args: Any, sqlstate: str | None = None) -> None:
        super().__init__(*args)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "cause",
    [
        pytest.param(_DriverError(1213, "Deadlock found"), id="mysql-deadlock"),
        pytest.param(_DriverError(1205, "Lock wait timeout"), id="mysql-lock-timeout"),
        pytest.param(_DriverError("deadlock detected", sqlstate="40P01"), id="pg-deadlock"),
        pytest.param(_DriverError("could not serialize", sqlstate="40001"), id="pg-serialize"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_a_deadlock_victim_runs_again(
    gql: GraphQLClient, user: Any, captured: Any, monkeypatch: pytest.MonkeyPatch, cause: Exception
) -> None:
    """Concurrent requests can deadlock on the token table (tests/test_concurrency.py shows it
    on MariaDB); the database rolls one back, and that request simply runs again. Under
    ATOMIC_REQUESTS on MySQL/MariaDB the deadlock has rolled back the whole request, so it is
    answered with the generic error and creates nothing (transactions.run_atomic)."""
    real = ResetPasswordToken.objects.delete_for_users_and_expired
    failures = [cause]

    def deadlock_once(*args: Any) -> int:
        if failures:
            raise OperationalError(str(failures[0])) from failures.pop()
        return real(*args)

    monkeypatch.setattr(ResetPasswordToken.objects, "delete_for_users_and_expired", deadlock_once)
    if connection.vendor == "mysql" and connection.settings_dict.get("ATOMIC_REQUESTS"):
        arguments = '(email: "alice@example.com")'
        if gql.relay:
            arguments = '(input: {email: "alice@example.com"})'
        body = gql.post(f"mutation {{ requestPasswordReset{arguments} {{ ok }} }}").json()
        assert body["data"]["requestPasswordReset"] is None and body["errors"], body
        assert captured.calls == []
        assert not ResetPasswordToken.objects.exists()
        return
    assert answer(gql, "alice@example.com") == OK
    assert len(captured.calls) == 1
    assert gql.validate(captured.last_key)["valid"] is True


def test_other_database_errors_are_not_retried(
    gql: GraphQLClient, user: Any, captured: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def broken(*args: Any) -> int:
        calls.append(args)
        raise OperationalError("disk I/O error") from _DriverError(1030, "Got error")

    monkeypatch.setattr(ResetPasswordToken.objects, "delete_for_users_and_expired", broken)
    response = post_request(gql, "alice@example.com")
    assert response.json()["errors"][0]["message"].startswith("The password reset could not")
    assert len(calls) == 1
    assert captured.calls == []
