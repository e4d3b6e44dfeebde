"""System checks for GRAPHQL_PASSWORDRESET: a bad value stops the project at startup, with a
message that names the key as the project wrote it (a legacy setting name included).

Three groups, registered in ``register()``: the values themselves (errors, untagged); choices
that weaken security (warnings, tagged ``security``); and what only matters in production,
run by ``manage.py check --deploy`` (warnings, tagged ``security``, deploy only).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.utils.module_loading import import_string

from .conf import (
    DEFAULT_RATES,
    DEFAULTS,
    IN_REQUEST,
    SETTINGS_NAME,
    parse_rate,
    passwordreset_settings,
)
from .mail import DEFAULT_EMAIL_TIMEOUT, default_mailer, has_no_timeout
from .signals import reset_password_token_created
from .tokens import get_token_generator_class

__all__ = ["check_deployment", "check_security", "check_settings", "register"]

ID = "graphql_passwordreset.{}"

# Every message in one place: id -> (message, hint). Messages take {name} (the setting as the
# project spelled it), {value} and {detail}.
MESSAGES: dict[str, tuple[str, str | None]] = {
    "E001": (
        f"{SETTINGS_NAME} must be a dict, not {{value}}.",
        f"Write {SETTINGS_NAME} = {{{{...}}}} with the keys of the docs' Settings page.",
    ),
    "E002": (
        f"{SETTINGS_NAME} has an unknown key: {{value}}.",
        "Known keys: " + ", ".join(DEFAULTS) + ".",
    ),
    "E003": ("{name} must be a positive number of hours, at most 100 years, not {value}.", None),
    "E004": ("{name} must be True or False, not {value}.", None),
    "E005": (
        "{name} must name a concrete field of the user model, not {value}.",
        "{detail}",
    ),
    "E006": ("{name} must be a non-empty string naming a request.META key, not {value}.", None),
    "E007": ("{name} is not a usable token generator: {detail}", None),
    "E008": ("{name} must be None or an absolute http(s) URL, not {value}.", None),
    "E009": ("{name} must be a list of host names, not {value}.", None),
    "E010": (
        "{name} has an unknown key: {value}.",
        "Known keys: " + ", ".join(DEFAULT_RATES) + ".",
    ),
    "E011": ("{name} is not a rate: {detail}", "Use None to turn this limit off."),
    "E012": (
        "{name} needs django-graphql-jwt: add 'graphql_jwt' to your dependencies.",
        "pip install 'graphql-passwordreset[jwt]'",
    ),
    "E013": ("{name} must be a whole number >= {detail}, not {value}.", None),
    "E014": (
        '{name} must be "request" or the dotted path of a dispatcher callable: {detail}',
        "graphql_passwordreset.contrib.celery.dispatch delivers from a Celery worker.",
    ),
    "E015": (
        "{name} must be a whole number of bits from 1 to 128, not {value}.",
        "64 counts each IPv6 site (one /64) as one client; 128 counts single addresses.",
    ),
    "W001": (
        "{name} draws from only {detail} possible tokens and REQUIRE_EMAIL_WITH_TOKEN is off, so "
        "a guessed code is not tied to one account.",
        "Turn on REQUIRE_EMAIL_WITH_TOKEN, or use at least 10**8 possible codes.",
    ),
    "W003": (
        "GRAPHQL_JWT sets {detail} to graphql_passwordreset.contrib.graphql_jwt but not {value}: "
        "access tokens are not checked against the current password.",
        "Set both JWT_PAYLOAD_HANDLER and JWT_DECODE_HANDLER to graphql_passwordreset's "
        "handlers (docs: Security, sessions after a reset), or neither.",
    ),
    "W006": (
        "Long-running refresh tokens are on but GRAPHQL_JWT's JWT_GET_REFRESH_TOKEN_HANDLER is "
        "not graphql_passwordreset's: a refresh in flight during a reset can leave a refresh "
        "token that outlives the reset.",
        'Set JWT_GET_REFRESH_TOKEN_HANDLER to "graphql_passwordreset.contrib.graphql_jwt.'
        'get_refresh_token".',
    ),
    "W007": (
        "{name} is {value} and the default mailer has no timeout: a reset_password_token_created "
        "receiver that sends mail in the request waits for ever on a mail server that stops "
        "answering (the ready-made send_password_reset_email bounds itself to {detail} seconds; "
        "receivers of your own do not).",
        'Set EMAIL_TIMEOUT (from Django 6.1, the "timeout" OPTION of MAILERS["default"]), for '
        "example to 10.",
    ),
    "W002": (
        "{name} contains '*': a client may then send reset links pointing to any host.",
        "List the front-end hosts that may receive reset links.",
    ),
    "W004": (
        "{name} is {value}: reset links, token included, travel unencrypted.",
        "Use an https URL in production.",
    ),
    "W005": (
        "{name} is {value} and DEBUG is off: receivers run in the request, so its response "
        "time tells addresses with an account from those without.",
        "Deliver from a worker: set DELIVERY to a dispatcher such as "
        "graphql_passwordreset.contrib.celery.dispatch.",
    ),
}

BOOLEAN_KEYS = (
    "NO_INFORMATION_LEAKAGE",
    "REQUIRE_USABLE_PASSWORD",
    "USER_DETAILS_ON_VALIDATION",
    "LOGIN_ON_CONFIRM",
    "REQUIRE_EMAIL_WITH_TOKEN",
)
WEAK_CODE_SPACE = 10**8
MAX_EXPIRY_HOURS = 100 * 366 * 24


def _message(
    check_id: str, key: str, value: Any = None, detail: Any = "", *, name: str | None = None
) -> checks.CheckMessage:
    text, hint = MESSAGES[check_id]
    name = name or passwordreset_settings.source_name(key)
    fields = {"name": name, "value": repr(value), "detail": detail}
    level = checks.Warning if check_id.startswith("W") else checks.Error
    return level(
        text.format(**fields),
        hint=hint.format(**fields) if hint else None,
        id=ID.format(check_id),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_absolute_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_token_generator() -> Iterator[checks.CheckMessage]:
    key = "TOKEN_GENERATOR"
    raw = passwordreset_settings.raw(key)
    if raw is None:  # None means the default generator, as in django-rest-passwordreset
        raw = {}
    if not isinstance(raw, dict) or not isinstance(raw.get("OPTIONS", {}) or {}, dict):
        yield _message("E007", key, detail='use {"CLASS": ..., "OPTIONS": {...}}.')
        return
    config = passwordreset_settings.TOKEN_GENERATOR
    try:
        cls = get_token_generator_class(config["CLASS"])
        generator = cls(**config["OPTIONS"])
        sample = generator.generate_token()
    except Exception as exc:  # any failure of the project's class is a report, never a crash
        yield _message("E007", key, detail=str(exc) or type(exc).__name__)
        return
    if not isinstance(sample, str) or not sample:
        yield _message("E007", key, detail="generate_token() must return a non-empty string.")
        return


def _check_rates() -> Iterator[checks.CheckMessage]:
    raw = passwordreset_settings.raw("RATES")
    name = passwordreset_settings.source_name("RATES")
    if not isinstance(raw, dict):
        yield _message("E011", "RATES", raw, detail="RATES must be a dict of rates.")
        return
    for scope, rate in raw.items():
        if scope not in DEFAULT_RATES:
            yield _message("E010", "RATES", scope, name=name)
        elif rate is not None:
            try:
                parse_rate(rate)
            except ValueError as exc:
                yield _message("E011", "RATES", rate, detail=str(exc), name=f'{name}["{scope}"]')


def _check_lookup_field() -> Iterator[checks.CheckMessage]:
    value = passwordreset_settings.raw("LOOKUP_FIELD")
    user_model = get_user_model()
    try:
        field = user_model._meta.get_field(value) if isinstance(value, str) else None
    except FieldDoesNotExist:
        field = None
    if field is None or not getattr(field, "concrete", False):
        yield _message(
            "E005",
            "LOOKUP_FIELD",
            value,
            detail=f"{user_model._meta.label} has no such field.",
        )


def _check_delivery() -> Iterator[checks.CheckMessage]:
    value = passwordreset_settings.raw("DELIVERY")
    if value == IN_REQUEST:
        return
    if not isinstance(value, str) or not value:
        yield _message("E014", "DELIVERY", value, detail=f"{value!r} is not a string.")
        return
    try:
        dispatcher = import_string(value)
    except ImportError as exc:
        yield _message("E014", "DELIVERY", value, detail=str(exc))
        return
    if not callable(dispatcher):
        yield _message("E014", "DELIVERY", value, detail=f"{value} is not callable.")


JWT_HANDLERS = {
    "JWT_PAYLOAD_HANDLER": "graphql_passwordreset.contrib.graphql_jwt.jwt_payload",
    "JWT_DECODE_HANDLER": "graphql_passwordreset.contrib.graphql_jwt.jwt_decode",
}


def _check_jwt_handlers() -> Iterator[checks.CheckMessage]:
    """Half of the password-bound JWT pair is a silent hole (payload without the check) or a
    lock-out (the check without the claim): warn about either."""
    jwt_config = getattr(settings, "GRAPHQL_JWT", None)
    if not isinstance(jwt_config, dict):
        return
    ours = {key for key, path in JWT_HANDLERS.items() if jwt_config.get(key) == path}
    if len(ours) == 1:
        (present,) = ours
        (missing,) = set(JWT_HANDLERS) - ours
        text, hint = MESSAGES["W003"]
        yield checks.Warning(
            text.format(detail=present, value=missing), hint=hint, id=ID.format("W003")
        )


def check_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    user = passwordreset_settings.user_settings()
    if not isinstance(user, dict):
        return [_message("E001", "", type(user).__name__, name=SETTINGS_NAME)]
    errors: list[checks.CheckMessage] = [
        _message("E002", key, key) for key in user if key not in DEFAULTS
    ]
    raw = passwordreset_settings.raw

    expiry = raw("TOKEN_EXPIRY_HOURS")
    # The upper bound keeps "now - expiry" inside datetime's range (inf would crash requests).
    if (
        isinstance(expiry, bool)
        or not isinstance(expiry, (int, float))
        or not 0 < expiry <= MAX_EXPIRY_HOURS
    ):
        errors.append(_message("E003", "TOKEN_EXPIRY_HOURS", expiry))
    errors += [
        _message("E004", key, raw(key)) for key in BOOLEAN_KEYS if not isinstance(raw(key), bool)
    ]
    errors += _check_lookup_field()
    for key in ("IP_ADDRESS_HEADER", "USER_AGENT_HEADER"):
        if not isinstance(raw(key), str) or not raw(key):
            errors.append(_message("E006", key, raw(key)))
    errors += _check_token_generator()

    reset_url = raw("RESET_URL")
    if reset_url is not None and not _is_absolute_http_url(reset_url):
        errors.append(_message("E008", "RESET_URL", reset_url))
    hosts = raw("ALLOWED_REDIRECT_HOSTS")
    if not isinstance(hosts, (list, tuple)) or not all(isinstance(h, str) and h for h in hosts):
        errors.append(_message("E009", "ALLOWED_REDIRECT_HOSTS", hosts))
    errors += _check_rates()
    if raw("LOGIN_ON_CONFIRM") is True and not apps.is_installed("graphql_jwt"):
        # graphql_jwt needs no INSTALLED_APPS entry for access tokens; importable is enough.
        try:
            import graphql_jwt  # noqa: F401
        except ImportError:
            errors.append(_message("E012", "LOGIN_ON_CONFIRM"))
    errors += _check_delivery()
    for key, minimum in (("TRUSTED_PROXY_COUNT", 0), ("MAX_TOKEN_ATTEMPTS", 1)):
        value = raw(key)
        if not _is_int(value) or value < minimum:
            errors.append(_message("E013", key, value, detail=minimum))
    prefix = raw("IPV6_PREFIX_LENGTH")
    if not _is_int(prefix) or not 1 <= prefix <= 128:
        errors.append(_message("E015", "IPV6_PREFIX_LENGTH", prefix))
    return errors


def _code_space_warning() -> Iterator[checks.CheckMessage]:
    """W001: a small code space not tied to one account. Any generator that can tell its
    code space is checked, not just the numeric one."""
    key = "TOKEN_GENERATOR"
    config = passwordreset_settings.TOKEN_GENERATOR
    try:
        generator = get_token_generator_class(config["CLASS"])(**config["OPTIONS"])
    except Exception:  # reported as E007 by check_settings
        return
    possible_tokens = getattr(generator, "possible_tokens", None)
    space = possible_tokens() if callable(possible_tokens) else None
    if (
        isinstance(space, int)
        and not isinstance(space, bool)
        and space < WEAK_CODE_SPACE
        and not passwordreset_settings.raw("REQUIRE_EMAIL_WITH_TOKEN")
    ):
        yield _message("W001", key, detail=f"{space:,}")


REFRESH_TOKEN_HANDLER = "graphql_passwordreset.contrib.graphql_jwt.get_refresh_token"


def _check_refresh_token_handler() -> Iterator[checks.CheckMessage]:
    """W006: rotating refresh tokens without the handler that binds them to the password."""
    jwt_config = getattr(settings, "GRAPHQL_JWT", None)
    if not isinstance(jwt_config, dict) or not apps.is_installed("graphql_jwt.refresh_token"):
        return
    if (
        jwt_config.get("JWT_LONG_RUNNING_REFRESH_TOKEN")
        and jwt_config.get("JWT_GET_REFRESH_TOKEN_HANDLER") != REFRESH_TOKEN_HANDLER
    ):
        text, hint = MESSAGES["W006"]
        yield checks.Warning(text, hint=hint, id=ID.format("W006"))


def check_security(**kwargs: Any) -> list[checks.CheckMessage]:
    """Valid settings that weaken the reset's security."""
    if not isinstance(passwordreset_settings.user_settings(), dict):
        return []  # E001 says what is wrong
    warnings: list[checks.CheckMessage] = list(_code_space_warning())
    hosts = passwordreset_settings.raw("ALLOWED_REDIRECT_HOSTS")
    if isinstance(hosts, list | tuple) and "*" in hosts:
        warnings.append(_message("W002", "ALLOWED_REDIRECT_HOSTS", hosts))
    warnings += _check_jwt_handlers()
    warnings += _check_refresh_token_handler()
    return warnings


def check_deployment(**kwargs: Any) -> list[checks.CheckMessage]:
    """What only matters in production (``manage.py check --deploy``)."""
    if not isinstance(passwordreset_settings.user_settings(), dict):
        return []
    warnings = []
    reset_url = passwordreset_settings.raw("RESET_URL")
    if isinstance(reset_url, str) and reset_url.lower().startswith("http://"):
        warnings.append(_message("W004", "RESET_URL", reset_url))
    delivery = passwordreset_settings.raw("DELIVERY")
    if delivery == IN_REQUEST and not settings.DEBUG:
        warnings.append(_message("W005", "DELIVERY", delivery))
    warnings += _check_mail_timeout()
    return warnings


def _check_mail_timeout() -> Iterator[checks.CheckMessage]:
    """W007: receivers run in the request, and an SMTP-like default mailer waits for ever."""
    delivery = passwordreset_settings.raw("DELIVERY")
    if delivery != IN_REQUEST or not reset_password_token_created.has_listeners():
        return
    try:
        mailer = default_mailer()
    except Exception:  # mail is misconfigured: Django reports it when mail is sent
        return
    if has_no_timeout(mailer):
        yield _message("W007", "DELIVERY", delivery, detail=DEFAULT_EMAIL_TIMEOUT)


def register() -> None:
    checks.register(check_settings)
    checks.register(check_security, checks.Tags.security)
    checks.register(check_deployment, checks.Tags.security, deploy=True)
