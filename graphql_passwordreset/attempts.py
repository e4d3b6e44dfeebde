"""Wrong tokens presented with an address: judging a guess so that none goes uncounted."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.crypto import constant_time_compare

from .conf import passwordreset_settings
from .models import ResetPasswordToken, token_digests

__all__ = ["judge_guess"]


def judge_guess(key: str, users: list[Any]) -> ResetPasswordToken | None:
    """The live token of one of ``users`` (the ``email``'s accounts) whose key is ``key``, or
    None; a wrong key counts against all their live tokens, and an expired token whose key it
    is, is deleted.

    The guess is judged inside a transaction, after the tokens' row locks are held and their
    count of wrong guesses is read: concurrent guesses queue, so no token ever has more than
    MAX_TOKEN_ATTEMPTS wrong guesses judged, and a guess that cannot get the locks (an error
    answer) was never judged, so it tells nothing. On SQLite, where the lock is the database's,
    this needs transactions that start IMMEDIATE (docs: concurrency).
    """
    if not users:
        return None
    by_pk = {user.pk: user for user in users}
    digests = token_digests(key) if key else []
    tokens = ResetPasswordToken.objects.filter(user__in=list(by_pk))
    with transaction.atomic(using=tokens.db):
        for token in tokens.select_for_update().order_by("pk"):
            if not any(constant_time_compare(token.key_digest, d) for d in digests):
                continue
            if token.is_expired():
                token.delete()  # an expired token that is presented is deleted
                return None
            if token.failed_attempts < passwordreset_settings.MAX_TOKEN_ATTEMPTS:
                token.user = by_pk[token.user_id]
                return token
        ResetPasswordToken.objects.record_failed_attempt(list(by_pk))
    return None
