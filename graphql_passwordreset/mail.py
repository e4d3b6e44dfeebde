"""A ready-made ``reset_password_token_created`` receiver that e-mails the reset link.

Connect it if plain e-mail through Django's e-mail framework is all you need::

    from graphql_passwordreset.mail import send_password_reset_email
    from graphql_passwordreset.signals import reset_password_token_created

    reset_password_token_created.connect(send_password_reset_email)

Override the templates under ``graphql_passwordreset/email/`` to change the wording.

It runs in the request when DELIVERY is "request", so it never waits on the mail server for
ever: a project that sets no timeout of its own (EMAIL_TIMEOUT; from Django 6.1 the mailer's
``OPTIONS["timeout"]``) gets DEFAULT_EMAIL_TIMEOUT.
"""

from __future__ import annotations

import logging
from typing import Any

import django
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string

__all__ = ["DEFAULT_EMAIL_TIMEOUT", "TEMPLATES", "send_password_reset_email"]

logger = logging.getLogger("graphql_passwordreset")

TEMPLATES = {
    "subject": "graphql_passwordreset/email/password_reset_subject.txt",
    "text": "graphql_passwordreset/email/password_reset.txt",
    "html": "graphql_passwordreset/email/password_reset.html",
}

# Seconds each blocking SMTP operation (the connection, every command) may take when the
# project set no timeout: Django's own default, None, waits for ever on a server that accepts
# and never answers, and the request hangs until the web server kills it. Set EMAIL_TIMEOUT (or
# the mailer's OPTIONS["timeout"]) to choose another bound; it always wins over this one.
DEFAULT_EMAIL_TIMEOUT = 10


def default_mailer() -> BaseEmailBackend:
    """A new connection of the project's default mailer, configured as Django configures it."""
    if django.VERSION >= (6, 1):
        # MAILERS (or, until it is set, the EMAIL_* settings); get_connection() is deprecated.
        connection: BaseEmailBackend = mail.mailers.default  # type: ignore[attr-defined,unused-ignore]
    else:
        connection = mail.get_connection()
    return connection


def has_no_timeout(connection: BaseEmailBackend) -> bool:
    """Whether ``connection`` is SMTP-like (it has a timeout) and waits for ever (None)."""
    return getattr(connection, "timeout", False) is None


def _connection() -> BaseEmailBackend:
    """The default mailer, bounded in time when it is SMTP-like and the project set no bound."""
    connection = default_mailer()
    # Only SMTP-like backends have a timeout (None: wait for ever); locmem, console, file and a
    # project's own backend are used as they are.
    if has_no_timeout(connection):
        connection.timeout = DEFAULT_EMAIL_TIMEOUT  # type: ignore[attr-defined]
    return connection


def send_password_reset_email(
    sender: Any,
    reset_password_token: Any,
    reset_url: str | None = None,
    **kwargs: Any,
) -> None:
    """Send the token to the address stored on the token's user.

    Never to the address typed in the request: the stored one is the account's, the typed one
    may only look like it (CVE-2019-19844).
    """
    user = reset_password_token.user
    recipient = getattr(user, user.get_email_field_name(), None)
    if not recipient:
        logger.warning("User %s has no e-mail address; the reset token was not sent.", user.pk)
        return
    context = {
        "user": user,
        "token": reset_password_token.key,
        "reset_url": reset_url,
        "expires_at": reset_password_token.expires_at,
    }
    subject = "".join(render_to_string(TEMPLATES["subject"], context).splitlines())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(TEMPLATES["text"], context),
        to=[recipient],
    )
    message.attach_alternative(render_to_string(TEMPLATES["html"], context), "text/html")
    # A failure (the server down, or silent past the timeout) propagates: the signal's sender
    # logs it on the graphql_passwordreset logger and the client's answer does not change.
    _connection().send_messages([message])
