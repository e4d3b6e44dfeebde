"""Settings of graphql_passwordreset, read from Django's settings on every access.

Everything lives in one dict, ``GRAPHQL_PASSWORDRESET``. A key that is absent falls back to
the setting of django-rest-passwordreset it replaces (so a project migrating from it keeps its
configuration), then to the default. Nothing is cached, so ``override_settings`` just works.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

__all__ = [
    "DEFAULTS",
    "DEFAULT_RATES",
    "LEGACY_NAMES",
    "LEGACY_TOKEN_GENERATOR_CLASSES",
    "SETTINGS_NAME",
    "PasswordResetSettings",
    "passwordreset_settings",
]

SETTINGS_NAME = "GRAPHQL_PASSWORDRESET"

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
    "DELIVERY": "request",
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


class PasswordResetSettings:
    """Attribute access to the effective value of every key of ``GRAPHQL_PASSWORDRESET``."""

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

    def __getattr__(self, key: str) -> Any:
        if key not in DEFAULTS:
            raise AttributeError(f"Invalid graphql_passwordreset setting: {key!r}")
        if key == "RATES":
            return self.rates
        if key == "TOKEN_GENERATOR":
            return self.token_generator
        return self.raw(key)

    @property
    def rates(self) -> dict[str, str | None]:
        """RATES with the defaults filled in for every key the project did not give."""
        configured = self.raw("RATES")
        merged = dict(DEFAULT_RATES)
        if isinstance(configured, dict):
            merged.update(configured)
        return merged

    @property
    def token_generator(self) -> dict[str, Any]:
        """TOKEN_GENERATOR normalised to ``{"CLASS": ..., "OPTIONS": {...}}``."""
        configured = self.raw("TOKEN_GENERATOR")
        if configured is None:  # as in django-rest-passwordreset: None means the default
            configured = {}
        if not isinstance(configured, dict):
            return {"CLASS": configured, "OPTIONS": {}}
        cls = configured.get("CLASS", DEFAULTS["TOKEN_GENERATOR"]["CLASS"])
        if isinstance(cls, str):
            cls = LEGACY_TOKEN_GENERATOR_CLASSES.get(cls, cls)
        return {"CLASS": cls, "OPTIONS": configured.get("OPTIONS") or {}}


passwordreset_settings = PasswordResetSettings()
