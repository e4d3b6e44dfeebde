"""Running a transaction again when the database gave up on it for a lock conflict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, OperationalError, transaction

__all__ = ["is_lock_conflict", "run_atomic"]

T = TypeVar("T")

# SQLSTATEs of a deadlock or serialization failure (PostgreSQL), and MySQL/MariaDB's error
# numbers for a deadlock and a lock wait timeout: the transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRYABLE_MYSQL_ERRORS = frozenset({1213, 1205})


def is_lock_conflict(exc: Exception) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    args: tuple[Any, ...] = getattr(cause, "args", ())
    return bool(args) and args[0] in RETRYABLE_MYSQL_ERRORS


def run_atomic(work: Callable[[], T], *, attempts: int, retry_integrity_errors: bool = False) -> T:
    """``work()`` in a transaction, run again (up to ``attempts`` times in all) when the
    database chose it as a deadlock victim (or, with ``retry_integrity_errors``, when it broke
    a constraint a new attempt may not). Inside an outer atomic block (ATOMIC_REQUESTS) the
    block is a savepoint, rolled back and run again the same way, except after a MySQL/MariaDB
    deadlock: InnoDB has then rolled back the whole outer transaction, so the error goes up.
    """
    connection = transaction.get_connection()
    nested = connection.in_atomic_block
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return work()
        except (IntegrityError, OperationalError) as exc:
            conflict = is_lock_conflict(exc)
            retry = conflict or (retry_integrity_errors and isinstance(exc, IntegrityError))
            if conflict and nested and connection.vendor == "mysql":
                retry = False
            if attempt == attempts - 1 or not retry:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
