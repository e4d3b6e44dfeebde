"""Signals through which a project delivers tokens and follows password resets."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

__all__ = [
    "post_password_reset",
    "pre_password_reset",
    "reset_password_token_created",
    "send_robust",
]

logger = logging.getLogger("graphql_passwordreset")

# A token was created. Deliver it here (e-mail, SMS, ...), to the address stored on
# ``reset_password_token.user``, never to the one typed in the request.
# kwargs: sender (the operation class), instance (has .request), reset_password_token (the
# model instance, with the plaintext in .key), request (the Django request), reset_url (str or
# None). A receiver that raises is logged; the answer to the client does not change.
reset_password_token_created = Signal()

# The password is about to be set, inside the transaction that sets it: raising here rolls
# the reset back. kwargs: sender, user, reset_password_token.
pre_password_reset = Signal()

# The password was set and committed. kwargs: sender, user, reset_password_token.
# A receiver that raises is logged; the reset stands.
post_password_reset = Signal()


def send_robust(signal: Signal, name: str, **kwargs: Any) -> None:
    """Send ``signal`` (called ``name`` in the log) to every receiver; a receiver that raises
    is logged with its traceback, and the rest still run."""
    for receiver, result in signal.send_robust(**kwargs):
        if isinstance(result, Exception):
            logger.error(
                "A %s receiver (%r) raised an exception; the operation's answer is unchanged.",
                name,
                receiver,
                exc_info=(type(result), result, result.__traceback__),
            )
