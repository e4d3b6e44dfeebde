"""Settings of graphql_passwordreset, read from Django's settings on every access.

Everything lives in one dict, ``GRAPHQL_PASSWORDRESET``. A key that is absent falls back to
the setting of django-rest-passwordreset it replaces (so a project migrating from it keeps its
configuration), then to the default. Nothing is cached, so ``override_settings`` just works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from django.conf import settings

__all__ = [
    "DEFAULTS",
    "IN_REQUEST",
    "PERIODS",
    "Rate",
    "TokenGeneratorConfig",
    "parse_rate",
    "DEFAULT_RATES",
    "LEGACY_NAMES",
    "LEGACY_TOKEN_GENERATOR_CLASSES",
    "SETTINGS_NAME",
    "PasswordResetSettings",
    "passwordreset_settings",
]

SETTINGS_NAME = "GRAPHQL_PASSWORDRESET"

# DELIVERY's value for receivers that run in the request, after its transaction commits.
IN_REQUEST = "request"

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")

DEFAULT_RATES: dict[str, str | None] = {
    "request_address": "5/hour",
    "request_ip": "20/hour",
    "validate_ip": "60/hour",
    "confirm_ip": "60/hour",
}

DEFAULTS: dict[str, Any] = {
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
    "RATES": DEFAULT_RATES,
    "LOGIN_ON_CONFIRM": False,
    "TRUSTED_PROXY_COUNT": 0,
    "MAX_TOKEN_ATTEMPTS": 5,
    "REQUIRE_EMAIL_WITH_TOKEN": False,
    "DELIVERY": IN_REQUEST,
    "IPV6_PREFIX_LENGTH": 64,
}

# The django-rest-passwordreset setting each key replaces, honoured when the key is absent.
LEGACY_NAMES: dict[str, str] = {
    "TOKEN_EXPIRY_HOURS": "DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME",
    "NO_INFORMATION_LEAKAGE": "DJANGO_REST_PASSWORDRESET_NO_INFORMATION_LEAKAGE",
    "REQUIRE_USABLE_PASSWORD": "DJANGO_REST_MULTITOKENAUTH_REQUIRE_USABLE_PASSWORD",
    "LOOKUP_FIELD": "DJANGO_REST_LOOKUP_FIELD",
    "IP_ADDRESS_HEADER": "DJANGO_REST_PASSWORDRESET_IP_ADDRESS_HEADER",
    "USER_AGENT_HEADER": "DJANGO_REST_PASSWORDRESET_HTTP_USER_AGENT_HEADER",
    "TOKEN_GENERATOR": "DJANGO_REST_PASSWORDRESET_TOKEN_CONFIG",
    "USER_DETAILS_ON_VALIDATION": "DJANGO_REST_PASSWORDRESET_USER_DETAILS_ON_VALIDATION",
}

# A legacy TOKEN_CONFIG names the old package's classes; ours are their drop-in equivalents,
# so a project that uninstalls django-rest-passwordreset keeps working.
LEGACY_TOKEN_GENERATOR_CLASSES: dict[str, str] = {
    "django_rest_passwordreset.tokens.RandomStringTokenGenerator": "string",
    "django_rest_passwordreset.tokens.RandomNumberTokenGenerator": "number",
}

_MISSING = object()


class TokenGeneratorConfig(TypedDict):
    """TOKEN_GENERATOR as the package reads it: a registered name, a dotted path or a class,
    and the keyword arguments its constructor takes."""

    CLASS: Any
    OPTIONS: dict[str, Any]


@dataclass(frozen=True)
class Rate:
    """At most ``count`` uses in any ``period`` seconds."""

    count: int
    period: int


def parse_rate(value: object) -> Rate:
    """Parse ``"N/second"``, ``"N/minute"``, ``"N/hour"`` or ``"N/day"`` with N >= 1."""
    match = _RATE_RE.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) < 1:
        raise ValueError(
            f"{value!r} is not a rate: use 'N/second', 'N/minute', 'N/hour' or 'N/day', N >= 1."
        )
    return Rate(count=int(match.group(1)), period=PERIODS[match.group(2)])


class PasswordResetSettings:
    """The effective value of every key of ``GRAPHQL_PASSWORDRESET``, one typed property each.

    The types are what the system checks (checks.py) guarantee at startup; a value of another
    type is reported there, naming the key.
    """

    def user_settings(self) -> Any:
        """The ``GRAPHQL_PASSWORDRESET`` value exactly as the project wrote it."""
        return getattr(settings, SETTINGS_NAME, {})

    def _lookup(self, key: str) -> tuple[str, Any]:
        """Where ``key``'s value comes from, as the project spelled it, and the value:
        the dict first, then the legacy setting, then the default."""
        user = self.user_settings()
        if isinstance(user, dict) and key in user:
            return f'{SETTINGS_NAME}["{key}"]', user[key]
        legacy = LEGACY_NAMES.get(key)
        if legacy:
            value = getattr(settings, legacy, _MISSING)
            if value is not _MISSING:
                return legacy, value
        return f'{SETTINGS_NAME}["{key}"]', DEFAULTS[key]

    def source_name(self, key: str) -> str:
        """How the project spelled the setting that supplies ``key`` (for error messages)."""
        return self._lookup(key)[0]

    def raw(self, key: str) -> Any:
        """The configured value of ``key`` (dict, then legacy name, then default)."""
        return self._lookup(key)[1]

    @property
    def TOKEN_EXPIRY_HOURS(self) -> float:  # noqa: N802 (settings keep their names)
        return cast(float, self.raw("TOKEN_EXPIRY_HOURS"))

    @property
    def NO_INFORMATION_LEAKAGE(self) -> bool:  # noqa: N802
        return cast(bool, self.raw("NO_INFORMATION_LEAKAGE"))

    @property
    def REQUIRE_USABLE_PASSWORD(self) -> bool:  # noqa: N802
        return cast(bool, self.raw("REQUIRE_USABLE_PASSWORD"))

    @property
    def LOOKUP_FIELD(self) -> str:  # noqa: N802
        return cast(str, self.raw("LOOKUP_FIELD"))

    @property
    def IP_ADDRESS_HEADER(self) -> str:  # noqa: N802
        return cast(str, self.raw("IP_ADDRESS_HEADER"))

    @property
    def USER_AGENT_HEADER(self) -> str:  # noqa: N802
        return cast(str, self.raw("USER_AGENT_HEADER"))

    @property
    def TOKEN_GENERATOR(self) -> TokenGeneratorConfig:  # noqa: N802
        """Normalised to ``{"CLASS": ..., "OPTIONS": {...}}``; None or {} mean the default
        generator, as in django-rest-passwordreset, and a legacy class path maps to ours."""
        configured = self.raw("TOKEN_GENERATOR")
        if configured is None:
            configured = {}
        if not isinstance(configured, dict):
            return {"CLASS": configured, "OPTIONS": {}}
        cls = configured.get("CLASS", DEFAULTS["TOKEN_GENERATOR"]["CLASS"])
        if isinstance(cls, str):
            cls = LEGACY_TOKEN_GENERATOR_CLASSES.get(cls, cls)
        return {"CLASS": cls, "OPTIONS": configured.get("OPTIONS") or {}}

    @property
    def USER_DETAILS_ON_VALIDATION(self) -> bool:  # noqa: N802
        return cast(bool, self.raw("USER_DETAILS_ON_VALIDATION"))

    @property
    def RESET_URL(self) -> str | None:  # noqa: N802
        return cast("str | None", self.raw("RESET_URL"))

    @property
    def ALLOWED_REDIRECT_HOSTS(self) -> list[str]:  # noqa: N802
        return list(self.raw("ALLOWED_REDIRECT_HOSTS"))

    @property
    def RATES(self) -> dict[str, str | None]:  # noqa: N802
        """RATES with the defaults filled in for every key the project did not give."""
        configured = self.raw("RATES")
        merged = dict(DEFAULT_RATES)
        if isinstance(configured, dict):
            merged.update(configured)
        return merged

    @property
    def LOGIN_ON_CONFIRM(self) -> bool:  # noqa: N802
        return cast(bool, self.raw("LOGIN_ON_CONFIRM"))

    @property
    def TRUSTED_PROXY_COUNT(self) -> int:  # noqa: N802
        return cast(int, self.raw("TRUSTED_PROXY_COUNT"))

    @property
    def MAX_TOKEN_ATTEMPTS(self) -> int:  # noqa: N802
        return cast(int, self.raw("MAX_TOKEN_ATTEMPTS"))

    @property
    def REQUIRE_EMAIL_WITH_TOKEN(self) -> bool:  # noqa: N802
        return cast(bool, self.raw("REQUIRE_EMAIL_WITH_TOKEN"))

    @property
    def IPV6_PREFIX_LENGTH(self) -> int:  # noqa: N802
        """IPv6 clients are counted by their network of this many bits (one /64 is one site)."""
        return cast(int, self.raw("IPV6_PREFIX_LENGTH"))

    @property
    def DELIVERY(self) -> str:  # noqa: N802
        """``IN_REQUEST`` or the dotted path of a dispatcher."""
        return cast(str, self.raw("DELIVERY"))


passwordreset_settings = PasswordResetSettings()
