"""The accounts an address names, and which of them may reset their password."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from .addresses import MAX_ADDRESS_LENGTH, encodable, normalise
from .conf import passwordreset_settings

__all__ = ["is_eligible", "matching_users"]


def matching_users(address: str, *, lock: bool = False) -> list[Any]:
    """Users whose lookup field matches ``address`` case-insensitively, confirmed by NFKC +
    casefold: the database narrows the candidates, Python decides (CVE-2019-19844).

    ``lock`` (inside a transaction) takes the users' row locks, so that concurrent requests for
    one user queue up instead of deadlocking over the gap locks of the token table.
    """
    if len(address) > MAX_ADDRESS_LENGTH or "\x00" in address or not encodable(address):
        return []  # no stored value is this long, and PostgreSQL refuses NUL in a query
    lookup_field = passwordreset_settings.LOOKUP_FIELD
    # Ask for the NFKC form too, so a fullwidth variant of a stored address is a candidate.
    forms = list(dict.fromkeys([address, unicodedata.normalize("NFKC", address)]))
    wanted = normalise(address)
    return [
        user
        for user in users_by_lookup_field(lookup_field, forms, lock)
        if normalise(str(getattr(user, lookup_field, "") or "")) == wanted
    ]


def users_by_lookup_field(lookup_field: str, forms: list[str], lock: bool) -> list[Any]:
    """The users whose ``lookup_field`` equals one of ``forms`` case-insensitively."""
    condition = Q()
    for value in forms:
        condition |= Q(**{f"{lookup_field}__iexact": value})
    users = get_user_model()._default_manager.filter(condition)
    return list(users.select_for_update() if lock else users)


def is_eligible(user: Any) -> bool:
    if not getattr(user, "is_active", True):
        return False
    return not passwordreset_settings.REQUIRE_USABLE_PASSWORD or user.has_usable_password()
