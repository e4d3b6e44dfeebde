"""The ready-made e-mail receiver, driven by a real requestPasswordReset over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from graphql_passwordreset.mail import send_password_reset_email
from graphql_passwordreset.signals import reset_password_token_created

from .conftest import GraphQLClient, user_fields


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
