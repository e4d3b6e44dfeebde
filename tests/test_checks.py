"""System checks for GRAPHQL_PASSWORDRESET: every bad value is reported at startup with an id
(graphql_passwordreset.E001-E015, W001-W006) and a message naming the key as the project wrote
it, legacy django-rest-passwordreset setting names included; `manage.py check` fails on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import django
import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from graphql_passwordreset.checks import JWT_HANDLERS
from graphql_passwordreset.conf import LEGACY_NAMES
from graphql_passwordreset.mail import send_password_reset_email
from graphql_passwordreset.signals import reset_password_token_created
from graphql_passwordreset.tokens import BaseTokenGenerator

from .conftest import user_fields

PREFIX = "graphql_passwordreset."


class EmptyTokenGenerator(BaseTokenGenerator):
    """Returns an empty token: unusable, so the check must refuse it."""

    def generate_token(self, *args: Any, **kwargs: Any) -> str:
        return ""


def configure(settings: Any, *, drop: tuple[str, ...] = (), **keys: Any) -> None:
    """Set GRAPHQL_PASSWORDRESET keys on top of the settings module's own, minus ``drop``."""
    values = dict(getattr(settings, "GRAPHQL_PASSWORDRESET", {}))
    for key in drop:
        values.pop(key, None)
    values.update(keys)
    settings.GRAPHQL_PASSWORDRESET = values


def set_legacy(settings: Any, key: str, value: Any) -> None:
    """Configure ``key`` the django-rest-passwordreset way: by its old setting name."""
    configure(settings, drop=(key,))
    setattr(settings, LEGACY_NAMES[key], value)


def our_messages() -> list[checks.CheckMessage]:
    """What the registered checks report about this package (Django's own checks aside)."""
    return [message for message in checks.run_checks() if (message.id or "").startswith(PREFIX)]


def ids() -> list[str]:
    return [message.id.removeprefix(PREFIX) for message in our_messages()]


def only_message(check_id: str) -> checks.CheckMessage:
    found = [message for message in our_messages() if message.id == PREFIX + check_id]
    assert len(found) == 1, our_messages()
    return found[0]


def key_name(key: str) -> str:
    return f'GRAPHQL_PASSWORDRESET["{key}"]'


# --- a clean configuration -----------------------------------------------------------------


def test_the_settings_modules_configuration_is_clean() -> None:
    assert our_messages() == []


def test_a_full_valid_configuration_is_clean(settings: Any) -> None:
    configure(
        settings,
        TOKEN_EXPIRY_HOURS=1.5,
        NO_INFORMATION_LEAKAGE=False,
        REQUIRE_USABLE_PASSWORD=False,
        LOOKUP_FIELD=user_fields()["username"],
        IP_ADDRESS_HEADER="HTTP_X_REAL_IP",
        USER_AGENT_HEADER="HTTP_USER_AGENT",
        TOKEN_GENERATOR={"CLASS": "number", "OPTIONS": {"min_number": 0, "max_number": 10**9}},
        USER_DETAILS_ON_VALIDATION=True,
        RESET_URL="https://app.example.com/reset",
        ALLOWED_REDIRECT_HOSTS=["app.example.com", ".example.org"],
        RATES={"request_address": "3/minute", "request_ip": None, "validate_ip": "100/day"},
        LOGIN_ON_CONFIRM=True,
        TRUSTED_PROXY_COUNT=2,
        MAX_TOKEN_ATTEMPTS=1,
        REQUIRE_EMAIL_WITH_TOKEN=True,
    )
    assert our_messages() == []


def test_a_clean_configuration_passes_manage_py_check() -> None:
    call_command("check")  # raises SystemCheckError on any error


# --- one error per id ----------------------------------------------------------------------


def test_e001_settings_that_are_not_a_dict(settings: Any) -> None:
    settings.GRAPHQL_PASSWORDRESET = [("TOKEN_EXPIRY_HOURS", 2)]
    message = only_message("E001")
    assert isinstance(message, checks.Error)
    assert "GRAPHQL_PASSWORDRESET must be a dict" in message.msg
    assert "list" in message.msg


def test_e002_an_unknown_key_is_named(settings: Any) -> None:
    configure(settings, TOKEN_EXPIRY_HOUR=2)
    message = only_message("E002")
    assert "GRAPHQL_PASSWORDRESET" in message.msg and "'TOKEN_EXPIRY_HOUR'" in message.msg
    # The hint lists the keys that do exist, so the typo is easy to fix.
    assert "TOKEN_EXPIRY_HOURS" in message.hint


def test_e002_reports_each_unknown_key(settings: Any) -> None:
    configure(settings, LOOKUP="email", RATE={})
    assert ids().count("E002") == 2


# inf and absurdly long expiries would overflow datetime on every request.
@pytest.mark.parametrize("value", [-1, 0, "24", True, None, float("nan"), float("inf"), 10**9])
def test_e003_expiry_must_be_a_positive_number(settings: Any, value: Any) -> None:
    configure(settings, TOKEN_EXPIRY_HOURS=value)
    message = only_message("E003")
    assert key_name("TOKEN_EXPIRY_HOURS") in message.msg
    assert repr(value) in message.msg


@pytest.mark.parametrize("value", [0.25, 1, 24, 24 * 365 * 10])
def test_e003_accepts_positive_hours_within_reason(settings: Any, value: Any) -> None:
    configure(settings, TOKEN_EXPIRY_HOURS=value)
    assert our_messages() == []


def test_e003_names_the_legacy_setting_it_came_from(settings: Any) -> None:
    set_legacy(settings, "TOKEN_EXPIRY_HOURS", -5)
    message = only_message("E003")
    assert "DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME" in message.msg
    assert "GRAPHQL_PASSWORDRESET" not in message.msg


@pytest.mark.parametrize(
    "key",
    [
        "NO_INFORMATION_LEAKAGE",
        "REQUIRE_USABLE_PASSWORD",
        "USER_DETAILS_ON_VALIDATION",
        "LOGIN_ON_CONFIRM",
        "REQUIRE_EMAIL_WITH_TOKEN",
    ],
)
def test_e004_booleans_must_be_true_or_false(settings: Any, key: str) -> None:
    configure(settings, **{key: "no"})
    message = only_message("E004")
    assert key_name(key) in message.msg and "'no'" in message.msg


def test_e004_names_the_legacy_setting_it_came_from(settings: Any) -> None:
    set_legacy(settings, "NO_INFORMATION_LEAKAGE", 0)
    assert "DJANGO_REST_PASSWORDRESET_NO_INFORMATION_LEAKAGE" in only_message("E004").msg


@pytest.mark.parametrize("value", ["mail", "", 3, "graphql_password_reset_tokens"])
def test_e005_lookup_field_must_be_a_concrete_user_field(settings: Any, value: Any) -> None:
    # "graphql_password_reset_tokens" exists on the user model, but only as a reverse relation.
    configure(settings, LOOKUP_FIELD=value)
    message = only_message("E005")
    assert key_name("LOOKUP_FIELD") in message.msg and repr(value) in message.msg


def test_e005_names_the_legacy_setting_it_came_from(settings: Any) -> None:
    set_legacy(settings, "LOOKUP_FIELD", "mail")
    assert "DJANGO_REST_LOOKUP_FIELD" in only_message("E005").msg


@pytest.mark.parametrize("key", ["IP_ADDRESS_HEADER", "USER_AGENT_HEADER"])
@pytest.mark.parametrize("value", ["", None, ["REMOTE_ADDR"]])
def test_e006_headers_must_be_non_empty_strings(settings: Any, key: str, value: Any) -> None:
    configure(settings, **{key: value})
    assert key_name(key) in only_message("E006").msg


@pytest.mark.parametrize(
    ("key", "legacy"),
    [
        ("IP_ADDRESS_HEADER", "DJANGO_REST_PASSWORDRESET_IP_ADDRESS_HEADER"),
        ("USER_AGENT_HEADER", "DJANGO_REST_PASSWORDRESET_HTTP_USER_AGENT_HEADER"),
    ],
)
def test_e006_names_the_legacy_setting_it_came_from(settings: Any, key: str, legacy: str) -> None:
    set_legacy(settings, key, "")
    assert legacy in only_message("E006").msg


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"CLASS": "no.such.module.Generator"}, id="class-that-does-not-import"),
        pytest.param({"CLASS": "no-such-name"}, id="unregistered-name"),
        pytest.param({"CLASS": "datetime.date"}, id="not-a-generator"),
        pytest.param(
            {"CLASS": "graphql_passwordreset.tokens.BaseTokenGenerator"}, id="abstract-base-class"
        ),
        pytest.param({"CLASS": "tests.test_checks.EmptyTokenGenerator"}, id="empty-tokens"),
        pytest.param({"CLASS": "string", "OPTIONS": {"min_length": 0}}, id="bad-options"),
        pytest.param(
            {"CLASS": "number", "OPTIONS": {"min_number": 9, "max_number": 1}}, id="range"
        ),
        pytest.param({"CLASS": "string", "OPTIONS": ["min_length", 10]}, id="options-not-a-dict"),
        pytest.param("string", id="not-a-dict"),
    ],
)
def test_e007_token_generator_must_be_usable(settings: Any, value: Any) -> None:
    configure(settings, TOKEN_GENERATOR=value)
    assert key_name("TOKEN_GENERATOR") in only_message("E007").msg


def test_e007_names_the_class_that_does_not_import(settings: Any) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "no.such.module.Generator"})
    assert "no.such.module.Generator" in only_message("E007").msg


def test_e007_names_the_legacy_setting_it_came_from(settings: Any) -> None:
    set_legacy(settings, "TOKEN_GENERATOR", {"CLASS": "myproject.tokens.Gone"})
    message = only_message("E007")
    assert "DJANGO_REST_PASSWORDRESET_TOKEN_CONFIG" in message.msg
    assert "myproject.tokens.Gone" in message.msg


@pytest.mark.parametrize("value", ["/reset/", "app.example.com/reset", "ftp://example.com/", 42])
def test_e008_reset_url_must_be_an_absolute_http_url(settings: Any, value: Any) -> None:
    configure(settings, RESET_URL=value)
    message = only_message("E008")
    assert key_name("RESET_URL") in message.msg and repr(value) in message.msg


@pytest.mark.parametrize("value", ["app.example.com", ["app.example.com", ""], [None], None])
def test_e009_allowed_redirect_hosts_must_be_a_list_of_hosts(settings: Any, value: Any) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=value)
    assert key_name("ALLOWED_REDIRECT_HOSTS") in only_message("E009").msg


def test_e010_an_unknown_rates_key_is_named(settings: Any) -> None:
    configure(settings, RATES={"request_email": "5/hour"})
    message = only_message("E010")
    assert key_name("RATES") in message.msg and "'request_email'" in message.msg
    assert "request_address" in message.hint


@pytest.mark.parametrize(
    "rate",
    [
        pytest.param("5 per hour", id="does-not-parse"),
        pytest.param("0/hour", id="n-is-zero"),
        pytest.param("-1/hour", id="n-is-negative"),
        pytest.param("5/week", id="unknown-period"),
        pytest.param(5, id="not-a-string"),
    ],
)
def test_e011_a_rate_must_parse_with_n_at_least_1(settings: Any, rate: Any) -> None:
    configure(settings, RATES={"request_ip": rate})
    message = only_message("E011")
    assert 'GRAPHQL_PASSWORDRESET["RATES"]["request_ip"]' in message.msg
    assert repr(rate) in message.msg


def test_e011_rates_must_be_a_dict(settings: Any) -> None:
    configure(settings, RATES="5/hour")
    assert key_name("RATES") in only_message("E011").msg


def test_e012_login_on_confirm_needs_django_graphql_jwt(settings: Any, monkeypatch: Any) -> None:
    # None in sys.modules makes `import graphql_jwt` fail, as if it were not installed.
    monkeypatch.setitem(sys.modules, "graphql_jwt", None)
    configure(settings, LOGIN_ON_CONFIRM=True)
    message = only_message("E012")
    assert key_name("LOGIN_ON_CONFIRM") in message.msg and "django-graphql-jwt" in message.msg


def test_e012_is_not_reported_while_login_on_confirm_is_off(
    settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(sys.modules, "graphql_jwt", None)
    configure(settings, LOGIN_ON_CONFIRM=False)
    assert our_messages() == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TRUSTED_PROXY_COUNT", -1),
        ("TRUSTED_PROXY_COUNT", "1"),
        ("TRUSTED_PROXY_COUNT", 1.0),
        ("TRUSTED_PROXY_COUNT", True),
        ("MAX_TOKEN_ATTEMPTS", 0),
        ("MAX_TOKEN_ATTEMPTS", None),
    ],
)
def test_e013_counts_must_be_whole_numbers_in_range(settings: Any, key: str, value: Any) -> None:
    configure(settings, **{key: value})
    message = only_message("E013")
    assert key_name(key) in message.msg and repr(value) in message.msg


# --- W001: short numeric codes -------------------------------------------------------------


def test_w001_short_numeric_codes_without_required_email(settings: Any) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "number"}, REQUIRE_EMAIL_WITH_TOKEN=False)
    message = only_message("W001")
    assert isinstance(message, checks.Warning) and not isinstance(message, checks.Error)
    assert key_name("TOKEN_GENERATOR") in message.msg
    assert "90,000" in message.msg  # 10000-99999: the number of possible codes
    assert "REQUIRE_EMAIL_WITH_TOKEN" in message.hint


def test_w001_is_silent_with_required_email(settings: Any) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "number"}, REQUIRE_EMAIL_WITH_TOKEN=True)
    assert our_messages() == []


def test_w001_is_silent_for_at_least_10_to_the_8_codes(settings: Any) -> None:
    options = {"min_number": 0, "max_number": 10**8 - 1}
    configure(settings, TOKEN_GENERATOR={"CLASS": "number", "OPTIONS": options})
    assert our_messages() == []


def test_w001_just_under_10_to_the_8_codes_warns(settings: Any) -> None:
    options = {"min_number": 1, "max_number": 10**8 - 1}
    configure(settings, TOKEN_GENERATOR={"CLASS": "number", "OPTIONS": options})
    assert ids() == ["W001"]


def test_w001_also_warns_for_a_short_string_generator(settings: Any) -> None:
    options = {"min_length": 2, "max_length": 3}
    configure(settings, TOKEN_GENERATOR={"CLASS": "string", "OPTIONS": options})
    assert f"{62**2 + 62**3:,}" in only_message("W001").msg


def test_w001_names_the_legacy_setting_it_came_from(settings: Any) -> None:
    set_legacy(
        settings,
        "TOKEN_GENERATOR",
        {"CLASS": "django_rest_passwordreset.tokens.RandomNumberTokenGenerator"},
    )
    assert "DJANGO_REST_PASSWORDRESET_TOKEN_CONFIG" in only_message("W001").msg


def test_w001_does_not_fail_manage_py_check(settings: Any) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "number"})
    call_command("check")  # warnings are printed, not raised
    with pytest.raises(SystemCheckError, match="graphql_passwordreset.W001"):
        call_command("check", fail_level="WARNING")


# --- W002: a wildcard redirect host ---------------------------------------------------------


def test_w002_wildcard_redirect_host(settings: Any) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=["app.example.com", "*"])
    message = only_message("W002")
    assert isinstance(message, checks.Warning) and not isinstance(message, checks.Error)
    assert key_name("ALLOWED_REDIRECT_HOSTS") in message.msg


def test_w002_is_silent_for_named_hosts(settings: Any) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=["app.example.com", ".example.org"])
    assert our_messages() == []


# --- E014: DELIVERY -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        pytest.param(42, "is not a string", id="not-a-string"),
        pytest.param("", "is not a string", id="empty"),
        pytest.param("tests.no_such_module.dispatch", "No module named", id="no-module"),
        pytest.param("graphql_passwordreset.delivery.nothing", "does not define", id="no-attr"),
        pytest.param("graphql_passwordreset.conf.IN_REQUEST", "is not callable", id="value"),
    ],
)
def test_e014_delivery_must_be_request_or_a_dispatcher(
    settings: Any, value: Any, detail: str
) -> None:
    configure(settings, DELIVERY=value)
    message = only_message("E014")
    assert key_name("DELIVERY") in message.msg
    assert detail in message.msg
    assert "contrib.celery" in message.hint


@pytest.mark.parametrize(
    "value",
    ["request", "graphql_passwordreset.contrib.celery.dispatch", "tests.dispatchers.record"],
)
def test_e014_is_silent_for_good_values(settings: Any, value: str) -> None:
    configure(settings, DELIVERY=value)
    assert our_messages() == []


# --- W003: half of the password-bound JWT pair -----------------------------------------------


@pytest.mark.parametrize(("present", "missing"), [tuple(JWT_HANDLERS), tuple(JWT_HANDLERS)[::-1]])
def test_w003_one_jwt_handler_without_the_other(settings: Any, present: str, missing: str) -> None:
    settings.GRAPHQL_JWT = {**settings.GRAPHQL_JWT, present: JWT_HANDLERS[present]}
    message = only_message("W003")
    assert isinstance(message, checks.Warning) and not isinstance(message, checks.Error)
    assert present in message.msg and missing in message.msg


def test_w003_is_silent_with_both_or_neither(settings: Any) -> None:
    settings.GRAPHQL_JWT = {**settings.GRAPHQL_JWT, **JWT_HANDLERS}
    assert our_messages() == []
    settings.GRAPHQL_JWT = None
    assert our_messages() == []


# --- manage.py check fails on every error --------------------------------------------------


@pytest.mark.parametrize(
    ("check_id", "keys"),
    [
        pytest.param("E002", {"TOKEN_EXPIRY": 1}, id="unknown-key"),
        pytest.param("E003", {"TOKEN_EXPIRY_HOURS": -1}, id="negative-expiry"),
        pytest.param("E004", {"LOGIN_ON_CONFIRM": "yes"}, id="not-a-boolean"),
        pytest.param("E005", {"LOOKUP_FIELD": "mail"}, id="no-such-field"),
        pytest.param("E006", {"IP_ADDRESS_HEADER": ""}, id="empty-header"),
        pytest.param("E007", {"TOKEN_GENERATOR": {"CLASS": "nope.Gen"}}, id="does-not-import"),
        pytest.param("E008", {"RESET_URL": "/reset/"}, id="relative-reset-url"),
        pytest.param("E009", {"ALLOWED_REDIRECT_HOSTS": "example.com"}, id="hosts-string"),
        pytest.param("E010", {"RATES": {"confirm_address": "1/hour"}}, id="unknown-rates-key"),
        pytest.param("E011", {"RATES": {"request_ip": "lots"}}, id="rate-does-not-parse"),
        pytest.param("E011", {"RATES": {"request_ip": "0/minute"}}, id="rate-n-is-zero"),
        pytest.param("E013", {"MAX_TOKEN_ATTEMPTS": 0}, id="no-attempts"),
        pytest.param("E015", {"IPV6_PREFIX_LENGTH": 0}, id="prefix-zero"),
        pytest.param("E015", {"IPV6_PREFIX_LENGTH": 129}, id="prefix-too-long"),
        pytest.param("E015", {"IPV6_PREFIX_LENGTH": "64"}, id="prefix-string"),
        pytest.param("E015", {"IPV6_PREFIX_LENGTH": True}, id="prefix-bool"),
    ],
)
def test_manage_py_check_fails_on_a_bad_value(
    settings: Any, check_id: str, keys: dict[str, Any]
) -> None:
    configure(settings, **keys)
    with pytest.raises(SystemCheckError) as raised:
        call_command("check")
    assert PREFIX + check_id in str(raised.value)
    # The error names the key as written.
    assert list(keys)[0] in str(raised.value)


def test_manage_py_check_fails_when_the_settings_are_not_a_dict(settings: Any) -> None:
    settings.GRAPHQL_PASSWORDRESET = "email"
    with pytest.raises(SystemCheckError, match="graphql_passwordreset.E001"):
        call_command("check")


def test_manage_py_check_fails_for_a_bad_legacy_value(settings: Any) -> None:
    set_legacy(settings, "TOKEN_EXPIRY_HOURS", -1)
    with pytest.raises(
        SystemCheckError, match="DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME"
    ):
        call_command("check")


def test_manage_py_check_fails_without_django_graphql_jwt_for_login_on_confirm(
    settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(sys.modules, "graphql_jwt", None)
    configure(settings, LOGIN_ON_CONFIRM=True)
    with pytest.raises(SystemCheckError, match="graphql_passwordreset.E012"):
        call_command("check")


def test_several_bad_values_are_all_reported(settings: Any) -> None:
    configure(settings, TOKEN_EXPIRY_HOURS=0, RESET_URL="x", MAX_TOKEN_ATTEMPTS=0, COLOUR="red")
    assert sorted(ids()) == ["E002", "E003", "E008", "E013"]


# --- tags: security, and deploy-only checks ------------------------------------------------


def deploy_ids(tags: list[str] | None = None) -> list[str]:
    messages = checks.run_checks(tags=tags, include_deployment_checks=True)
    return [m.id.removeprefix(PREFIX) for m in messages if (m.id or "").startswith(PREFIX)]


def test_security_warnings_carry_the_security_tag(settings: Any) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=["*"], TOKEN_GENERATOR={"CLASS": "number"})
    security = checks.run_checks(tags=[checks.Tags.security])
    assert {m.id.removeprefix(PREFIX) for m in security if m.id.startswith(PREFIX)} == {
        "W001",
        "W002",
    }
    # a value error is no security warning, and is reported without the tag
    configure(settings, MAX_TOKEN_ATTEMPTS=0)
    assert "E013" not in deploy_ids([checks.Tags.security])
    assert "E013" in ids()


def test_http_reset_url_is_a_deploy_warning_only(settings: Any) -> None:
    configure(settings, RESET_URL="http://app.example.com/reset")
    assert "W004" not in ids()  # not in a plain `check`
    assert "W004" in deploy_ids()
    assert "RESET_URL" in only_deploy_message("W004").msg
    configure(settings, RESET_URL="https://app.example.com/reset")
    assert "W004" not in deploy_ids()


def only_deploy_message(check_id: str) -> checks.CheckMessage:
    found = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id == PREFIX + check_id
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("debug", "delivery", "warned"),
    [
        (False, "request", True),
        (True, "request", False),
        (False, "graphql_passwordreset.contrib.celery.dispatch", False),
    ],
)
def test_delivery_in_the_request_without_debug_is_a_deploy_warning(
    settings: Any, debug: bool, delivery: str, warned: bool
) -> None:
    settings.DEBUG = debug
    configure(settings, DELIVERY=delivery)
    assert ("W005" in deploy_ids()) is warned
    assert "W005" not in ids()


def test_manage_py_check_deploy_fails_on_them(settings: Any) -> None:
    settings.DEBUG = False
    configure(settings, RESET_URL="http://app.example.com/reset")
    call_command("check", "--fail-level", "WARNING", "--tag", "models")  # no deploy: clean
    with pytest.raises(SystemCheckError, match=r"graphql_passwordreset\.W004"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


@pytest.mark.parametrize(
    ("jwt_config", "warned"),
    [
        ({"JWT_LONG_RUNNING_REFRESH_TOKEN": True}, True),
        (
            {
                "JWT_LONG_RUNNING_REFRESH_TOKEN": True,
                "JWT_GET_REFRESH_TOKEN_HANDLER": "graphql_jwt.refresh_token.utils."
                "get_refresh_token_by_model",
            },
            True,
        ),
        (
            {
                "JWT_LONG_RUNNING_REFRESH_TOKEN": True,
                "JWT_GET_REFRESH_TOKEN_HANDLER": "graphql_passwordreset.contrib.graphql_jwt."
                "get_refresh_token",
            },
            False,
        ),
        ({"JWT_LONG_RUNNING_REFRESH_TOKEN": False}, False),
    ],
)
def test_rotating_refresh_tokens_without_our_handler_are_a_security_warning(
    settings: Any, jwt_config: dict[str, Any], warned: bool
) -> None:
    settings.GRAPHQL_JWT = jwt_config
    assert ("W006" in deploy_ids([checks.Tags.security])) is warned
    if warned:
        assert "JWT_GET_REFRESH_TOKEN_HANDLER" in only_message("W006").hint


@pytest.fixture
def smtp_without_timeout(settings: Any) -> Iterator[None]:
    """An SMTP default mailer with no timeout, and a reset_password_token_created receiver."""
    backend = "django.core.mail.backends.smtp.EmailBackend"
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend, "OPTIONS": {"host": "localhost"}}}
    else:
        settings.EMAIL_BACKEND = backend
        settings.EMAIL_TIMEOUT = None
    reset_password_token_created.connect(send_password_reset_email, dispatch_uid="tests-w007")
    yield
    reset_password_token_created.disconnect(dispatch_uid="tests-w007")


def test_mail_in_the_request_without_a_timeout_is_a_deploy_warning(
    settings: Any, smtp_without_timeout: None
) -> None:
    assert "W007" not in ids()
    message = only_deploy_message("W007")
    assert "DELIVERY" in message.msg and "10 seconds" in message.msg
    assert message.hint and "EMAIL_TIMEOUT" in message.hint
    # A timeout, delivery from a worker, or no receiver at all: nothing to warn about.
    if django.VERSION >= (6, 1):
        settings.MAILERS["default"]["OPTIONS"]["timeout"] = 10
    else:
        settings.EMAIL_TIMEOUT = 10
    assert "W007" not in deploy_ids()


@pytest.mark.parametrize("case", ["worker", "no-receiver", "locmem"])
def test_no_mail_timeout_warning_without_unbounded_mail_in_the_request(
    settings: Any, smtp_without_timeout: None, case: str
) -> None:
    if case == "worker":
        configure(settings, DELIVERY="graphql_passwordreset.contrib.celery.dispatch")
    elif case == "no-receiver":
        reset_password_token_created.disconnect(dispatch_uid="tests-w007")
        assert not reset_password_token_created.has_listeners()
    elif django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    else:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "W007" not in deploy_ids()
