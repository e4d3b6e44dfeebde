"""Helpers for a project's own tests (Django's ``TestCase`` and pytest-django alike).

``capture_reset_tokens()`` records the reset tokens created inside a ``with`` block, with the
user and the reset link each was made for::

    with capture_reset_tokens() as captured:
        self.client.post("/graphql", {"query": REQUEST}, content_type="application/json")
    key = captured.last.key

Delivery in the request waits for the transaction to commit, which never happens inside a
``TestCase``: the block runs those waiting callbacks when it ends (Django's
``TestCase.captureOnCommitCallbacks``). With a dispatcher (``DELIVERY`` names one, e.g. the
Celery integration) the block hands each job straight to the worker's code in this process, so
no broker or worker is needed. Your own ``reset_password_token_created`` receivers run as
usual.

``make_reset_token(user)`` gives a user a live token in one call and returns its key, without
sending the signal: for tests of validate and confirm.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.test import TestCase, override_settings

from .conf import IN_REQUEST, SETTINGS_NAME, passwordreset_settings
from .models import ResetPasswordToken
from .services import deliver
from .signals import reset_password_token_created
from .tokens import get_token_generator

__all__ = [
    "CapturedReset",
    "CapturedResets",
    "capture_reset_tokens",
    "deliver_in_process",
    "make_reset_token",
]


@dataclass(frozen=True)
class CapturedReset:
    """One token handed to ``reset_password_token_created``."""

    key: str
    user: Any
    reset_url: str | None


@dataclass
class CapturedResets:
    """The tokens created inside a ``capture_reset_tokens()`` block, in order."""

    resets: list[CapturedReset] = field(default_factory=list)

    def __iter__(self) -> Iterator[CapturedReset]:
        return iter(self.resets)

    def __len__(self) -> int:
        return len(self.resets)

    @property
    def keys(self) -> list[str]:
        return [reset.key for reset in self.resets]

    @property
    def last(self) -> CapturedReset:
        assert self.resets, "no password reset token was created"
        return self.resets[-1]


def deliver_in_process(job: dict[str, Any]) -> None:
    """A ``DELIVERY`` dispatcher that carries the job out at once, in this process."""
    deliver(job)


@contextmanager
def capture_reset_tokens(using: str = DEFAULT_DB_ALIAS) -> Iterator[CapturedResets]:
    """Record every reset token created inside the block, whatever the delivery mode.

    ``using`` is the database whose commit delivery waits for (the default one).
    """
    captured = CapturedResets()

    def receiver(reset_password_token: Any, reset_url: str | None = None, **kwargs: Any) -> None:
        captured.resets.append(
            CapturedReset(reset_password_token.key, reset_password_token.user, reset_url)
        )

    uid = f"graphql_passwordreset.testing.{id(captured)}"
    reset_password_token_created.connect(receiver, dispatch_uid=uid, weak=False)
    try:
        with ExitStack() as stack:
            if passwordreset_settings.DELIVERY != IN_REQUEST:
                configured = passwordreset_settings.user_settings()
                configured = configured if isinstance(configured, dict) else {}
                dispatcher = f"{__name__}.deliver_in_process"
                stack.enter_context(
                    override_settings(**{SETTINGS_NAME: {**configured, "DELIVERY": dispatcher}})
                )
            # Outside any transaction (a TransactionTestCase, a live server) callbacks run at
            # once and nothing is captured; inside a TestCase they run when the block ends.
            stack.enter_context(TestCase.captureOnCommitCallbacks(using=using, execute=True))
            yield captured
    finally:
        reset_password_token_created.disconnect(dispatch_uid=uid)


def make_reset_token(user: Any) -> str:
    """Give ``user`` a new live reset token (replacing any they had) and return its key.

    No signal is sent and no throttle counts: this only sets up a test.
    """
    token = ResetPasswordToken(user=user)
    token.set_key(get_token_generator().generate_token())
    with transaction.atomic(using=ResetPasswordToken.objects.db):
        ResetPasswordToken.objects.filter(user=user).delete()
        token.save(force_insert=True)
    assert token.key is not None
    return token.key
