"""A ready-made ``reset_password_token_created`` receiver that e-mails the reset link.

Connect it if plain e-mail through Django's e-mail framework is all you need::

    from graphql_passwordreset.mail import send_password_reset_email
    from graphql_passwordreset.signals import reset_password_token_created

    reset_password_token_created.connect(send_password_reset_email)

Override the templates under ``graphql_passwordreset/email/`` to change the wording.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

__all__ = ["TEMPLATES", "send_password_reset_email"]

logger = logging.getLogger("graphql_passwordreset")

TEMPLATES = {
    "subject": "graphql_passwordreset/email/password_reset_subject.txt",
    "text": "graphql_passwordreset/email/password_reset.txt",
    "html": "graphql_passwordreset/email/password_reset.html",
}


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
    message.send()
