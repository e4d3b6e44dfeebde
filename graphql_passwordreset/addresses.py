"""User-typed addresses: how they are checked and compared, the same way everywhere."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import EmailValidator
from django.db import models

from .conf import passwordreset_settings

__all__ = [
    "MAX_ADDRESS_LENGTH",
    "clean_address",
    "encodable",
    "lookup_is_email",
    "looks_like_an_address",
    "normalise",
]

# No stored address is longer (RFC 3696's 64 + 1 + 255, rounded up); anything longer is refused
# before it reaches the database.
MAX_ADDRESS_LENGTH = 320


def normalise(value: str) -> str:
    """NFKC-normalised, casefolded, without surrounding white space.

    Casefolding after NFKC is what makes look-alike addresses such as ``mıke@example.org``
    (dotless i) differ from ``mike@example.org``, where a database's case-insensitive match
    may treat them as equal.
    """
    return unicodedata.normalize("NFKC", value).casefold().strip()


def encodable(value: str) -> bool:
    """False for text with lone surrogates (JSON allows them), which no database or URL takes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def lookup_is_email(user_model: type[models.Model], lookup_field: str) -> bool:
    if lookup_field == user_model.get_email_field_name():  # type: ignore[attr-defined]
        return True
    try:
        return isinstance(user_model._meta.get_field(lookup_field), models.EmailField)
    except FieldDoesNotExist:
        return False


def clean_address(value: str | None) -> str | None:
    """The address as it is looked up, or None when it is missing or malformed.

    Only an e-mail lookup field has a format to check; any other takes any non-empty string.
    """
    address = (value or "").strip()
    if not address:
        return None
    if lookup_is_email(get_user_model(), passwordreset_settings.LOOKUP_FIELD):
        # EmailValidator's domain part admits lone surrogates; no real address has one.
        if len(address) > MAX_ADDRESS_LENGTH or not encodable(address):
            return None
        if not looks_like_an_address(unicodedata.normalize("NFKC", address)):
            return None
    return address


# Characters no local part of a stored address holds, quoted forms aside.
_NOT_IN_LOCAL_PART = frozenset('"(),:;<>@[\\]')
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


def looks_like_an_address(address: str) -> bool:
    """Loosely an e-mail address, checked as it compares (NFKC: fullwidth letters are the same
    address): Django's EmailValidator, or else a non-ASCII local part (``straße@``, which
    Django's validator refuses though such addresses are stored) on a domain it accepts.

    Loose on purpose: the form only decides whether to look the address up at all; the lookup
    itself (users.py) still matches stored addresses strictly.
    """
    validate = EmailValidator()
    try:
        validate(address)
        return True
    except ValidationError:
        pass
    local, _, domain = address.rpartition("@")
    if not local or len(local) > 64 or local.isascii():
        return False  # an ASCII local part Django refuses is malformed
    if any(
        ch in _NOT_IN_LOCAL_PART or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
        for ch in local
    ):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    try:
        validate(f"local@{domain}")  # the domain, by Django's own rules (IDNA included)
    except ValidationError:
        return False
    return True
