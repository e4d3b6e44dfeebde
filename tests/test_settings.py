"""The GRAPHQL_PASSWORDRESET settings (API.md section 6): every key's default, the
django-rest-passwordreset setting each key replaces (honoured only while the key is absent),
RATES merged over its defaults, and settings re-read whenever they change.

Behaviour is checked over GraphQL wherever a setting is visible to a client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from graphql_passwordreset.conf import DEFAULTS, passwordreset_settings
from graphql_passwordreset.models import ResetPasswordToken

from .conftest import GraphQLClient, user_fields

ADDRESS = "alice@example.com"
UNKNOWN = "nobody@example.com"

pytestmark = pytest.mark.django_db


def configure(settings: Any, *, drop: tuple[str, ...] = (), **keys: Any) -> None:
    """Set GRAPHQL_PASSWORDRESET keys on top of the settings module's own (the custom user
    settings need their LOOKUP_FIELD), leaving out the keys in ``drop``."""
    values = dict(getattr(settings, "GRAPHQL_PASSWORDRESET", {}))
    for key in drop:
        values.pop(key, None)
    values.update(keys)
    settings.GRAPHQL_PASSWORDRESET = values


@pytest.fixture
def defaults(settings: Any) -> None:
    """Nothing configured but what the user model needs: the lookup field, when the model's
    e-mail field is not called ``email``."""
    email_field = user_fields()["email"]
    settings.GRAPHQL_PASSWORDRESET = {} if email_field == "email" else {"LOOKUP_FIELD": email_field}


def age_tokens(**delta: float) -> None:
    ResetPasswordToken.objects.update(created_at=timezone.now() - timedelta(**delta))


def codes(result: dict[str, Any]) -> list[str]:
    return [error["code"] for error in result["errors"]]


# --- defaults ------------------------------------------------------------------------------


def test_every_key_has_the_documented_default(settings: Any) -> None:
    if hasattr(settings, "GRAPHQL_PASSWORDRESET"):
        del settings.GRAPHQL_PASSWORDRESET
    # Written out from API.md, not imported from conf.DEFAULTS, so a changed default fails.
    documented = {
        "TOKEN_EXPIRY_HOURS": 24,
        "NO_INFORMATION_LEAKAGE": True,
        "REQUIRE_USABLE_PASSWORD": True,
        "LOOKUP_FIELD": "email",
        "IP_ADDRESS_HEADER": "REMOTE_ADDR",
        "USER_AGENT_HEADER": "HTTP_USER_AGENT",
        "TOKEN_GENERATOR": {"CLASS": "string", "OPTIONS": {}},
        "USER_DETAILS_ON_VALIDATION": False,
        "RESET_URL": None,
        "ALLOWED_REDIRECT_HOSTS": [],
        "RATES": {
            "request_address": "5/hour",
            "request_ip": "20/hour",
            "validate_ip": "60/hour",
            "confirm_ip": "60/hour",
        },
        "LOGIN_ON_CONFIRM": False,
        "TRUSTED_PROXY_COUNT": 0,
        "MAX_TOKEN_ATTEMPTS": 5,
        "REQUIRE_EMAIL_WITH_TOKEN": False,
        "DELIVERY": "request",
        "IPV6_PREFIX_LENGTH": 64,
    }
    assert {key: getattr(passwordreset_settings, key) for key in documented} == documented
    assert set(documented) == set(DEFAULTS)  # every key is written out above


def test_an_empty_settings_dict_gives_the_same_defaults_as_no_dict(settings: Any) -> None:
    settings.GRAPHQL_PASSWORDRESET = {}
    assert passwordreset_settings.TOKEN_EXPIRY_HOURS == 24
    assert passwordreset_settings.RATES["request_address"] == "5/hour"


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NOT_A_SETTING"):
        passwordreset_settings.NOT_A_SETTING  # noqa: B018


def test_default_hides_unknown_addresses(defaults: None, plain_gql: GraphQLClient) -> None:
    assert plain_gql.request_reset(UNKNOWN) == {"ok": True, "errors": []}


def test_default_skips_users_without_a_usable_password(
    defaults: None, plain_gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    make_user(ADDRESS, password=None)
    assert plain_gql.request_reset(ADDRESS) == {"ok": True, "errors": []}
    assert captured.calls == []


def test_default_expiry_is_24_hours(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    age_tokens(hours=23, minutes=59)
    assert plain_gql.validate(captured.last_key)["valid"] is True
    age_tokens(hours=24, minutes=1)
    assert codes(plain_gql.validate(captured.last_key)) == ["INVALID_TOKEN"]


def test_default_token_is_a_random_string_of_10_to_50_letters_and_digits(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    assert 10 <= len(captured.last_key) <= 50
    assert captured.last_key.isascii() and captured.last_key.isalnum()


def test_default_records_remote_addr_and_user_agent(
    defaults: None, plain_gql: GraphQLClient, user: Any
) -> None:
    plain_gql.request_reset(
        ADDRESS,
        REMOTE_ADDR="198.51.100.4",
        HTTP_USER_AGENT="Browser/1.0",
        HTTP_X_REAL_IP="10.1.1.1",
    )
    token = ResetPasswordToken.objects.get()
    assert (token.ip_address, token.user_agent) == ("198.51.100.4", "Browser/1.0")


def test_default_validation_returns_no_user_details(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    result = plain_gql.validate(captured.last_key)
    assert result["valid"] is True
    assert (result["username"], result["email"]) == (None, None)


def test_default_has_no_reset_url(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    assert captured.calls[-1]["reset_url"] is None


def test_default_allows_no_redirect_host(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    result = plain_gql.request_reset(ADDRESS, redirect_url="https://app.example.com/reset")
    assert codes(result) == ["INVALID_REDIRECT_URL"]
    assert captured.calls == []


def test_default_does_not_log_in_on_confirm(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    result = plain_gql.confirm(captured.last_key)
    assert result["ok"] is True
    assert (result["token"], result["refreshToken"]) == (None, None)


def test_default_does_not_require_the_email_with_a_token(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    assert plain_gql.validate(captured.last_key)["valid"] is True


def test_default_deletes_the_token_after_five_failed_attempts(
    defaults: None, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    for _ in range(4):
        plain_gql.validate("wrong-token", email=ADDRESS)
    assert plain_gql.validate(captured.last_key, email=ADDRESS)["valid"] is True
    plain_gql.validate("wrong-token", email=ADDRESS)
    assert codes(plain_gql.validate(captured.last_key, email=ADDRESS)) == ["INVALID_TOKEN"]


def test_default_request_address_rate_is_5_per_hour(
    defaults: None, plain_gql: GraphQLClient
) -> None:
    for number in range(5):
        # A different client address each time: only the per-address limit applies.
        assert plain_gql.request_reset(UNKNOWN, REMOTE_ADDR=f"192.0.2.{number}")["ok"] is True
    assert codes(plain_gql.request_reset(UNKNOWN, REMOTE_ADDR="192.0.2.99")) == ["THROTTLED"]


def test_default_request_ip_rate_is_20_per_hour(defaults: None, plain_gql: GraphQLClient) -> None:
    for number in range(20):
        assert plain_gql.request_reset(f"user{number}@example.com")["ok"] is True
    assert codes(plain_gql.request_reset("user99@example.com")) == ["THROTTLED"]


def test_default_validate_ip_rate_is_60_per_hour(defaults: None, plain_gql: GraphQLClient) -> None:
    for _ in range(60):
        assert codes(plain_gql.validate("no-such-token")) == ["INVALID_TOKEN"]
    assert codes(plain_gql.validate("no-such-token")) == ["THROTTLED"]


def test_default_confirm_ip_rate_is_60_per_hour(defaults: None, plain_gql: GraphQLClient) -> None:
    for _ in range(60):
        assert codes(plain_gql.confirm("no-such-token")) == ["INVALID_TOKEN"]
    assert codes(plain_gql.confirm("no-such-token")) == ["THROTTLED"]


def test_default_throttles_ignore_x_forwarded_for(defaults: None, plain_gql: GraphQLClient) -> None:
    # TRUSTED_PROXY_COUNT 0: a forged header does not give a fresh allowance per request.
    for number in range(20):
        plain_gql.request_reset(
            f"user{number}@example.com", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}"
        )
    result = plain_gql.request_reset("user99@example.com", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert codes(result) == ["THROTTLED"]


# --- legacy django-rest-passwordreset settings ---------------------------------------------


def test_legacy_expiry_is_honoured_when_the_key_is_absent(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, drop=("TOKEN_EXPIRY_HOURS",))
    settings.DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME = 1
    plain_gql.request_reset(ADDRESS)
    age_tokens(minutes=30)
    assert plain_gql.validate(captured.last_key)["valid"] is True
    age_tokens(hours=2)
    assert codes(plain_gql.validate(captured.last_key)) == ["INVALID_TOKEN"]


def test_legacy_expiry_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, TOKEN_EXPIRY_HOURS=24)
    settings.DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME = 1
    plain_gql.request_reset(ADDRESS)
    age_tokens(hours=2)
    assert plain_gql.validate(captured.last_key)["valid"] is True


def test_legacy_information_leakage_off_reveals_unknown_addresses(
    settings: Any, plain_gql: GraphQLClient
) -> None:
    configure(settings, drop=("NO_INFORMATION_LEAKAGE",))
    settings.DJANGO_REST_PASSWORDRESET_NO_INFORMATION_LEAKAGE = False
    result = plain_gql.request_reset(UNKNOWN)
    assert result["ok"] is False
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("email", "USER_NOT_FOUND")]


def test_legacy_information_leakage_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient
) -> None:
    configure(settings, NO_INFORMATION_LEAKAGE=True)
    settings.DJANGO_REST_PASSWORDRESET_NO_INFORMATION_LEAKAGE = False
    assert plain_gql.request_reset(UNKNOWN) == {"ok": True, "errors": []}


def test_legacy_require_usable_password_off_lets_unusable_passwords_reset(
    settings: Any, plain_gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    configure(settings, drop=("REQUIRE_USABLE_PASSWORD",))
    settings.DJANGO_REST_MULTITOKENAUTH_REQUIRE_USABLE_PASSWORD = False
    make_user(ADDRESS, password=None)
    plain_gql.request_reset(ADDRESS)
    assert len(captured.calls) == 1
    assert plain_gql.validate(captured.last_key)["valid"] is True


def test_legacy_require_usable_password_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    configure(settings, REQUIRE_USABLE_PASSWORD=True)
    settings.DJANGO_REST_MULTITOKENAUTH_REQUIRE_USABLE_PASSWORD = False
    make_user(ADDRESS, password=None)
    plain_gql.request_reset(ADDRESS)
    assert captured.calls == []


def test_legacy_lookup_field_is_honoured_when_the_key_is_absent(
    settings: Any, plain_gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    configure(settings, drop=("LOOKUP_FIELD",))
    settings.DJANGO_REST_LOOKUP_FIELD = user_fields()["username"]
    alice = make_user(ADDRESS, username="alice-handle")
    # Not an e-mail field, so any non-empty identifier is accepted and looked up.
    assert plain_gql.request_reset("Alice-Handle")["ok"] is True
    assert [call["reset_password_token"].user.pk for call in captured.calls] == [alice.pk]


def test_legacy_lookup_field_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    configure(settings, LOOKUP_FIELD=user_fields()["email"])
    settings.DJANGO_REST_LOOKUP_FIELD = user_fields()["username"]
    make_user(ADDRESS, username="alice-handle")
    assert codes(plain_gql.request_reset("alice-handle")) == ["INVALID_EMAIL"]
    plain_gql.request_reset(ADDRESS)
    assert len(captured.calls) == 1


def test_legacy_ip_address_header_is_honoured_when_the_key_is_absent(
    settings: Any, plain_gql: GraphQLClient, user: Any
) -> None:
    configure(settings, drop=("IP_ADDRESS_HEADER",))
    settings.DJANGO_REST_PASSWORDRESET_IP_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    plain_gql.request_reset(ADDRESS, REMOTE_ADDR="198.51.100.4", HTTP_X_REAL_IP="203.0.113.7")
    assert ResetPasswordToken.objects.get().ip_address == "203.0.113.7"


def test_legacy_ip_address_header_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient, user: Any
) -> None:
    configure(settings, IP_ADDRESS_HEADER="REMOTE_ADDR")
    settings.DJANGO_REST_PASSWORDRESET_IP_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    plain_gql.request_reset(ADDRESS, REMOTE_ADDR="198.51.100.4", HTTP_X_REAL_IP="203.0.113.7")
    assert ResetPasswordToken.objects.get().ip_address == "198.51.100.4"


def test_legacy_user_agent_header_is_honoured_when_the_key_is_absent(
    settings: Any, plain_gql: GraphQLClient, user: Any
) -> None:
    configure(settings, drop=("USER_AGENT_HEADER",))
    settings.DJANGO_REST_PASSWORDRESET_HTTP_USER_AGENT_HEADER = "HTTP_X_CLIENT_AGENT"
    plain_gql.request_reset(ADDRESS, HTTP_USER_AGENT="Browser/1.0", HTTP_X_CLIENT_AGENT="App/2.0")
    assert ResetPasswordToken.objects.get().user_agent == "App/2.0"


def test_legacy_user_agent_header_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient, user: Any
) -> None:
    configure(settings, USER_AGENT_HEADER="HTTP_USER_AGENT")
    settings.DJANGO_REST_PASSWORDRESET_HTTP_USER_AGENT_HEADER = "HTTP_X_CLIENT_AGENT"
    plain_gql.request_reset(ADDRESS, HTTP_USER_AGENT="Browser/1.0", HTTP_X_CLIENT_AGENT="App/2.0")
    assert ResetPasswordToken.objects.get().user_agent == "Browser/1.0"


def test_legacy_token_config_with_the_old_packages_number_class_gives_numeric_tokens(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, drop=("TOKEN_GENERATOR",))
    # The dotted path a django-rest-passwordreset project has in its settings; it must work
    # whether or not that package is still installed.
    settings.DJANGO_REST_PASSWORDRESET_TOKEN_CONFIG = {
        "CLASS": "django_rest_passwordreset.tokens.RandomNumberTokenGenerator",
        "OPTIONS": {"min_number": 1500, "max_number": 9999},
    }
    for _ in range(5):
        plain_gql.request_reset(ADDRESS)
    assert len(captured.keys) == 5
    assert all(key.isdigit() and 1500 <= int(key) <= 9999 for key in captured.keys)
    assert plain_gql.validate(captured.last_key)["valid"] is True


def test_legacy_token_config_with_the_old_packages_string_class_gives_string_tokens(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, drop=("TOKEN_GENERATOR",))
    settings.DJANGO_REST_PASSWORDRESET_TOKEN_CONFIG = {
        "CLASS": "django_rest_passwordreset.tokens.RandomStringTokenGenerator",
        "OPTIONS": {"min_length": 64, "max_length": 64},
    }
    plain_gql.request_reset(ADDRESS)
    assert len(captured.last_key) == 64 and captured.last_key.isalnum()


@pytest.mark.parametrize("empty", [None, {}], ids=["None", "empty-dict"])
def test_legacy_token_config_none_or_empty_means_the_default_generator(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any, empty: Any
) -> None:
    # django-rest-passwordreset documents TOKEN_CONFIG = None as "the default generator".
    configure(settings, drop=("TOKEN_GENERATOR",))
    settings.DJANGO_REST_PASSWORDRESET_TOKEN_CONFIG = empty
    assert plain_gql.request_reset(ADDRESS) == {"ok": True, "errors": []}
    assert 10 <= len(captured.last_key) <= 50 and captured.last_key.isalnum()
    assert plain_gql.validate(captured.last_key)["valid"] is True
    assert not [m for m in run_checks() if (m.id or "").startswith("graphql_passwordreset")]


def test_token_generator_none_in_the_dict_means_the_default_generator(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, TOKEN_GENERATOR=None)
    assert plain_gql.request_reset(ADDRESS) == {"ok": True, "errors": []}
    assert 10 <= len(captured.last_key) <= 50 and captured.last_key.isalnum()


def test_legacy_token_config_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "string", "OPTIONS": {"min_length": 40}})
    settings.DJANGO_REST_PASSWORDRESET_TOKEN_CONFIG = {
        "CLASS": "django_rest_passwordreset.tokens.RandomNumberTokenGenerator",
    }
    plain_gql.request_reset(ADDRESS)
    assert len(captured.last_key) >= 40 and not captured.last_key.isdigit()


def test_legacy_user_details_on_validation_is_honoured_when_the_key_is_absent(
    settings: Any, plain_gql: GraphQLClient, make_user: Any, captured: Any
) -> None:
    configure(settings, drop=("USER_DETAILS_ON_VALIDATION",))
    settings.DJANGO_REST_PASSWORDRESET_USER_DETAILS_ON_VALIDATION = True
    make_user(ADDRESS, username="alice-handle")
    plain_gql.request_reset(ADDRESS)
    result = plain_gql.validate(captured.last_key)
    assert (result["username"], result["email"]) == ("alice-handle", ADDRESS)


def test_legacy_user_details_on_validation_is_ignored_when_the_key_is_present(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, USER_DETAILS_ON_VALIDATION=False)
    settings.DJANGO_REST_PASSWORDRESET_USER_DETAILS_ON_VALIDATION = True
    plain_gql.request_reset(ADDRESS)
    result = plain_gql.validate(captured.last_key)
    assert (result["username"], result["email"]) == (None, None)


# --- RATES ---------------------------------------------------------------------------------


def test_rates_keys_not_given_keep_their_default(settings: Any) -> None:
    configure(settings, RATES={"request_ip": "100/day"})
    assert passwordreset_settings.RATES == {
        "request_address": "5/hour",
        "request_ip": "100/day",
        "validate_ip": "60/hour",
        "confirm_ip": "60/hour",
    }


def test_rates_given_for_one_scope_leave_the_others_limiting(
    settings: Any, plain_gql: GraphQLClient
) -> None:
    configure(settings, RATES={"request_ip": "1000/hour"})
    for number in range(5):
        plain_gql.request_reset(UNKNOWN, REMOTE_ADDR=f"192.0.2.{number}")
    # request_address was not given: still 5/hour.
    assert codes(plain_gql.request_reset(UNKNOWN, REMOTE_ADDR="192.0.2.99")) == ["THROTTLED"]


def test_a_rate_set_to_none_turns_that_limit_off(settings: Any, plain_gql: GraphQLClient) -> None:
    configure(settings, RATES={"request_address": None})
    for number in range(8):
        result = plain_gql.request_reset(UNKNOWN, REMOTE_ADDR=f"192.0.2.{number}")
        assert result == {"ok": True, "errors": []}


def test_a_configured_rate_is_applied(settings: Any, plain_gql: GraphQLClient) -> None:
    configure(settings, RATES={"validate_ip": "2/minute"})
    assert codes(plain_gql.validate("x1")) == ["INVALID_TOKEN"]
    assert codes(plain_gql.validate("x2")) == ["INVALID_TOKEN"]
    assert codes(plain_gql.validate("x3")) == ["THROTTLED"]


# --- settings are re-read ------------------------------------------------------------------


def test_changing_no_information_leakage_mid_test_changes_the_answer(
    settings: Any, plain_gql: GraphQLClient
) -> None:
    configure(settings, NO_INFORMATION_LEAKAGE=True)
    assert plain_gql.request_reset("first@example.com")["ok"] is True
    configure(settings, NO_INFORMATION_LEAKAGE=False)
    assert codes(plain_gql.request_reset("second@example.com")) == ["USER_NOT_FOUND"]
    configure(settings, NO_INFORMATION_LEAKAGE=True)
    assert plain_gql.request_reset("third@example.com")["ok"] is True


def test_changing_the_token_generator_mid_test_changes_the_tokens(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "string", "OPTIONS": {"min_length": 30}})
    plain_gql.request_reset(ADDRESS)
    configure(
        settings,
        TOKEN_GENERATOR={"CLASS": "number", "OPTIONS": {"min_number": 10**9, "max_number": 10**10}},
    )
    plain_gql.request_reset(ADDRESS)
    string_key, number_key = captured.keys
    assert len(string_key) >= 30 and not string_key.isdigit()
    assert number_key.isdigit() and 10**9 <= int(number_key) <= 10**10


def test_changing_the_expiry_mid_test_expires_a_live_token(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    plain_gql.request_reset(ADDRESS)
    age_tokens(hours=3)
    assert plain_gql.validate(captured.last_key)["valid"] is True
    configure(settings, TOKEN_EXPIRY_HOURS=2)
    assert codes(plain_gql.validate(captured.last_key)) == ["INVALID_TOKEN"]


def test_changing_rates_mid_test_changes_the_limit(settings: Any, plain_gql: GraphQLClient) -> None:
    configure(settings, RATES={"validate_ip": "1/minute"})
    plain_gql.validate("x1")
    assert codes(plain_gql.validate("x2")) == ["THROTTLED"]
    configure(settings, RATES={"validate_ip": None})
    assert codes(plain_gql.validate("x3")) == ["INVALID_TOKEN"]


def test_override_settings_decorator_is_seen(plain_gql: GraphQLClient, settings: Any) -> None:
    from django.test import override_settings

    values = {**getattr(settings, "GRAPHQL_PASSWORDRESET", {}), "NO_INFORMATION_LEAKAGE": False}
    with override_settings(GRAPHQL_PASSWORDRESET=values):
        assert codes(plain_gql.request_reset(UNKNOWN)) == ["USER_NOT_FOUND"]
    assert plain_gql.request_reset("other@example.com")["ok"] is True
