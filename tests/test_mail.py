"""The ready-made e-mail receiver, driven by a real requestPasswordReset over HTTP."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import django
import pytest
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils import timezone

from graphql_passwordreset.mail import DEFAULT_EMAIL_TIMEOUT, send_password_reset_email
from graphql_passwordreset.signals import reset_password_token_created

from .conftest import GraphQLClient, email_of, user_fields
from .silent_server import silent_server

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def mail_receiver() -> Iterator[None]:
    reset_password_token_created.connect(send_password_reset_email, dispatch_uid="tests-mail")
    yield
    reset_password_token_created.disconnect(dispatch_uid="tests-mail")


@pytest.fixture
def reset_url_settings(settings: Any) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "RESET_URL": "https://app.example.com/reset?lang=en",
    }


def test_link_is_mailed_to_the_stored_address(
    plain_gql: GraphQLClient, make_user: Any, mail_receiver: None, reset_url_settings: None
) -> None:
    make_user("Alice@Example.com")
    assert plain_gql.request_reset("  alice@EXAMPLE.com ")["ok"] is True

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # The stored address, not the one typed in the request.
    assert message.to == ["Alice@Example.com"]
    assert message.subject == "Reset your password"
    assert "https://app.example.com/reset?lang=en&token=" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "https://app.example.com/reset?lang=en&amp;token=" in html
    # The expiry names its time zone (the suite's TIME_ZONE is UTC).
    assert re.search(r"Until \S.+ UTC, this link can be used once\.", message.body)
    assert re.search(r"Until \S.+ UTC, this link can be used once\.", html)


def test_without_a_reset_url_the_code_itself_is_mailed(
    plain_gql: GraphQLClient, make_user: Any, mail_receiver: None, captured: Any
) -> None:
    make_user("bob@example.com")
    assert plain_gql.request_reset("bob@example.com")["ok"] is True
    assert f"Your reset code: {captured.last_key}" in mail.outbox[0].body


def test_german_request_gets_a_german_mail(
    plain_gql: GraphQLClient, make_user: Any, mail_receiver: None, reset_url_settings: None
) -> None:
    make_user("carla@example.com")
    with timezone.override("Europe/Berlin"):
        plain_gql.request_reset("carla@example.com", HTTP_ACCEPT_LANGUAGE="de")
    assert mail.outbox[0].subject == "Passwort zurücksetzen"
    # In the active time zone, with its abbreviation (CET in winter, CEST in summer).
    assert re.search(r"bis \S.+ \d\d:\d\d CES?T ein einziges Mal", mail.outbox[0].body)


def test_user_without_address_gets_nothing_and_the_answer_is_unchanged(
    plain_gql: GraphQLClient, make_user: Any, mail_receiver: None, settings: Any
) -> None:
    settings.GRAPHQL_PASSWORDRESET = {
        **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
        "LOOKUP_FIELD": user_fields()["username"],
    }
    make_user("", username="dora")
    assert plain_gql.request_reset("dora") == {"ok": True, "errors": []}
    assert mail.outbox == []


# --- a mail server that accepts and never answers ----------------------------------------------


@pytest.fixture
def smtp_mailer(settings: Any) -> Iterator[dict[str, Any]]:
    """Django's SMTP backend pointed at a silent server, with no timeout set by the project
    (Django's default EMAIL_TIMEOUT is None: wait for ever). Yields the mail settings to
    change."""
    with silent_server() as (host, port):
        if django.VERSION >= (6, 1):
            options: dict[str, Any] = {"host": host, "port": port}
            settings.MAILERS = {"default": {"BACKEND": SMTP_BACKEND, "OPTIONS": options}}
            yield options
        else:
            settings.EMAIL_BACKEND = SMTP_BACKEND
            settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
            settings.EMAIL_TIMEOUT = None
            yield {}


def test_a_silent_mail_server_does_not_hang_the_request(
    plain_gql: GraphQLClient,
    user: Any,
    mail_receiver: None,
    smtp_mailer: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The receiver runs in the request once it commits (DELIVERY "request"): it gives up after
    its own bound, the failure is logged on the package's logger, and the answer is the one
    every address gets. (The server drops the connection after 5 s: without a bound the request
    takes that long.)"""
    monkeypatch.setattr("graphql_passwordreset.mail.DEFAULT_EMAIL_TIMEOUT", 0.5)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="graphql_passwordreset"):
        result = plain_gql.request_reset(email_of(user))
    elapsed = time.monotonic() - started
    assert result == {"ok": True, "errors": []}
    assert elapsed < 2, f"the request took {elapsed:.1f} s"
    (record,) = [r for r in caplog.records if r.name == "graphql_passwordreset"]
    assert record.levelno == logging.ERROR
    assert "send_password_reset_email" in record.getMessage()
    assert record.exc_info and issubclass(record.exc_info[0], OSError)  # smtplib's, or a timeout
    assert "timed out" in str(record.exc_info[1])
    assert mail.outbox == []


def test_the_default_bound_applies_only_when_the_project_set_none(
    user: Any, smtp_mailer: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's own timeout wins; an SMTP backend without one gets DEFAULT_EMAIL_TIMEOUT
    (10 s); other backends are used as they are."""
    timeouts: list[Any] = []

    def open_connection(self: Any) -> bool:
        timeouts.append(self.timeout)
        raise ConnectionRefusedError

    monkeypatch.setattr(SMTPBackend, "open", open_connection)
    token = type("Token", (), {"user": user, "key": "k", "expires_at": timezone.now()})()
    for timeout in (None, 3):
        if django.VERSION >= (6, 1):
            smtp_mailer.pop("timeout", None)
            if timeout is not None:
                smtp_mailer["timeout"] = timeout
        else:
            settings.EMAIL_TIMEOUT = timeout
        with pytest.raises(ConnectionRefusedError):
            send_password_reset_email(sender=None, reset_password_token=token)
    assert timeouts == [DEFAULT_EMAIL_TIMEOUT, 3]
    assert DEFAULT_EMAIL_TIMEOUT == 10
