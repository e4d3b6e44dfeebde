"""Error codes of the public contract, their default messages, and ``ErrorDetail``, the plain
value the services return for an expected failure."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BLANK_PASSWORD_MESSAGE",
    "PASSWORD_TOO_LONG_FOR_HASHER_MESSAGE",
    "PASSWORD_TOO_LONG_MESSAGE",
    "ErrorCode",
    "ErrorDetail",
    "PASSWORD_VALIDATOR_CODES",
    "password_error_code",
]


class ErrorCode(enum.Enum):
    """Why an operation did not succeed. New codes may be added; existing ones never change."""

    INVALID_EMAIL = "INVALID_EMAIL"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    INVALID_TOKEN = "INVALID_TOKEN"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"
    PASSWORD_ENTIRELY_NUMERIC = "PASSWORD_ENTIRELY_NUMERIC"
    PASSWORD_TOO_SIMILAR = "PASSWORD_TOO_SIMILAR"
    PASSWORD_INVALID = "PASSWORD_INVALID"
    INVALID_REDIRECT_URL = "INVALID_REDIRECT_URL"
    THROTTLED = "THROTTLED"

    @property
    def description(self) -> str:
        """Shown for each enum value in GraphiQL's docs pane (graphene reads this attribute)."""
        return _CODE_DESCRIPTIONS[self]

    @property
    def default_message(self) -> Promise:
        return _DEFAULT_MESSAGES[self]


_CODE_DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.INVALID_EMAIL: (
        "The email argument is missing where it is required, or is not a valid e-mail address "
        "when users are looked up by an e-mail field."
    ),
    ErrorCode.USER_NOT_FOUND: (
        "No eligible account matches the address. Only returned when NO_INFORMATION_LEAKAGE is off."
    ),
    ErrorCode.INVALID_TOKEN: (
        "The token is unknown, malformed, expired or already used, or its account may not "
        "reset its password."
    ),
    ErrorCode.PASSWORD_TOO_SHORT: "The new password is shorter than the configured minimum.",
    ErrorCode.PASSWORD_TOO_COMMON: "The new password is on the list of common passwords.",
    ErrorCode.PASSWORD_ENTIRELY_NUMERIC: "The new password consists of digits only.",
    ErrorCode.PASSWORD_TOO_SIMILAR: "The new password is too similar to the account's details.",
    ErrorCode.PASSWORD_INVALID: "The new password fails another configured password validator.",
    ErrorCode.INVALID_REDIRECT_URL: (
        "The redirectUrl is not an absolute https URL on an allowed host (http is accepted "
        "in DEBUG)."
    ),
    ErrorCode.THROTTLED: "Too many attempts; try again later.",
}

_DEFAULT_MESSAGES: dict[ErrorCode, Promise] = {
    ErrorCode.INVALID_EMAIL: _("Enter a valid e-mail address."),
    ErrorCode.USER_NOT_FOUND: _("No active account with a usable password has this address."),
    ErrorCode.INVALID_TOKEN: _("This password reset link is invalid or has expired."),
    ErrorCode.PASSWORD_TOO_SHORT: _("This password is too short."),
    ErrorCode.PASSWORD_TOO_COMMON: _("This password is too common."),
    ErrorCode.PASSWORD_ENTIRELY_NUMERIC: _("This password is entirely numeric."),
    ErrorCode.PASSWORD_TOO_SIMILAR: _("This password is too similar to your account details."),
    ErrorCode.PASSWORD_INVALID: _("This password is not allowed."),
    ErrorCode.INVALID_REDIRECT_URL: _("This redirect URL is not allowed."),
    ErrorCode.THROTTLED: _("Too many attempts. Please try again later."),
}

BLANK_PASSWORD_MESSAGE = _("Enter a new password.")
PASSWORD_TOO_LONG_MESSAGE = _("This password is too long.")
PASSWORD_TOO_LONG_FOR_HASHER_MESSAGE = _(
    "This password is too long: at most %(limit)d bytes (characters outside ASCII take more "
    "than one)."
)

# Django's password validators report these codes; anything else is PASSWORD_INVALID.
PASSWORD_VALIDATOR_CODES: dict[str, ErrorCode] = {
    "password_too_short": ErrorCode.PASSWORD_TOO_SHORT,
    "password_too_common": ErrorCode.PASSWORD_TOO_COMMON,
    "password_entirely_numeric": ErrorCode.PASSWORD_ENTIRELY_NUMERIC,
    "password_too_similar": ErrorCode.PASSWORD_TOO_SIMILAR,
}


def password_error_code(validator_code: str | None) -> ErrorCode:
    return PASSWORD_VALIDATOR_CODES.get(validator_code or "", ErrorCode.PASSWORD_INVALID)


@dataclass(frozen=True)
class ErrorDetail:
    """One expected failure: which argument it concerns, a translated message, and its code.
    The GraphQL shells answer it as a ``PasswordResetError`` (types.py)."""

    code: ErrorCode
    field: str | None
    message: str | Promise

    @classmethod
    def of(
        cls, code: ErrorCode, field: str | None, message: str | Promise | None = None
    ) -> ErrorDetail:
        return cls(code=code, field=field, message=message or code.default_message)
