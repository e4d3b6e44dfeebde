"""Checking a new password: Django's AUTH_PASSWORD_VALIDATORS, and bounds of our own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import get_hasher
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from .addresses import encodable
from .errors import (
    BLANK_PASSWORD_MESSAGE,
    PASSWORD_TOO_LONG_FOR_HASHER_MESSAGE,
    PASSWORD_TOO_LONG_MESSAGE,
    ErrorCode,
    ErrorDetail,
    password_error_code,
)

__all__ = ["HASHER_BYTE_LIMITS", "MAX_PASSWORD_LENGTH", "password_errors"]

# Refused before it reaches a password hasher: no one types a longer password.
MAX_PASSWORD_LENGTH = 4096
# Hashers that take only so many bytes of a password (by their algorithm name): bcrypt reads
# 72 and the bcrypt library refuses more. Django's default bcrypt hasher (bcrypt_sha256)
# hashes the password first and has no such limit.
HASHER_BYTE_LIMITS = {"bcrypt": 72}


def password_errors(password: str, user: Any) -> list[ErrorDetail]:
    """Why ``password`` cannot be ``user``'s new password; empty when it can."""
    if not password:
        return [ErrorDetail.of(ErrorCode.PASSWORD_TOO_SHORT, "password", BLANK_PASSWORD_MESSAGE)]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [ErrorDetail.of(ErrorCode.PASSWORD_INVALID, "password", PASSWORD_TOO_LONG_MESSAGE)]
    if not encodable(password):  # a lone surrogate cannot be hashed (nor typed)
        return [ErrorDetail.of(ErrorCode.PASSWORD_INVALID, "password")]
    limit = HASHER_BYTE_LIMITS.get(get_hasher().algorithm or "")
    if limit is not None and len(password.encode("utf-8")) > limit:
        message = PASSWORD_TOO_LONG_FOR_HASHER_MESSAGE % {"limit": limit}
        return [ErrorDetail.of(ErrorCode.PASSWORD_INVALID, "password", message)]
    try:
        ProhibitNullCharactersValidator()(password)
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [
            ErrorDetail.of(
                password_error_code(error.code),
                "password",
                error.message % error.params if error.params else error.message,
            )
            for error in exc.error_list
        ]
    return []
