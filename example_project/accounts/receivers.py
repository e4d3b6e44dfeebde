"""Delivers password reset tokens by e-mail."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from graphql_passwordreset.models import ResetPasswordToken


def send_password_reset_email(
    sender: Any,
    reset_password_token: ResetPasswordToken,
    reset_url: str | None = None,
    **kwargs: Any,
) -> None:
    """Send the reset link (or, without RESET_URL and redirectUrl, the bare token).

    The mail goes to the address stored on the token's user, never to the one typed in the
    request: those can differ in case or Unicode form, and sending to the typed one is how
    Django's CVE-2019-19844 handed other people's reset links to an attacker.
    """
    user = reset_password_token.user
    address = getattr(user, user.get_email_field_name(), "")
    if not address:
        return
    context = {
        "user": user,
        "username": user.get_username(),
        "reset_url": reset_url,
        "token": reset_password_token.key,
        "expires_at": reset_password_token.expires_at,
    }
    # A subject must be one line, whatever the template's line breaks.
    subject = " ".join(
        render_to_string("accounts/email/password_reset_subject.txt", context).split()
    )
    text = render_to_string("accounts/email/password_reset.txt", context)
    html = render_to_string("accounts/email/password_reset.html", context)
    message = EmailMultiAlternatives(subject, text, to=[address])
    message.attach_alternative(html, "text/html")
    message.send()
