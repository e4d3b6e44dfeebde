"""graphql_passwordreset.testing, used the way a project's own tests use it: in a Django
TestCase (where no transaction ever commits) and in pytest-django tests, with delivery in the
request and through a dispatcher, and make_reset_token for validate and confirm."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings

from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.testing import capture_reset_tokens, make_reset_token

from . import dispatchers
from .conftest import GraphQLClient, email_of, user_fields

REQUEST = """mutation($email: String!) {
  requestPasswordReset(email: $email, redirectUrl: "https://app.example.com/reset") { ok }
}"""
VALIDATE = "query($token: String!) { validateResetToken(token: $token) { valid } }"
ALLOWED = {"ALLOWED_REDIRECT_HOSTS": ["app.example.com"]}


def configured(**keys: Any) -> override_settings:
    """The suite's GRAPHQL_PASSWORDRESET with redirects to app.example.com and ``keys``."""
    current = getattr(django_settings, "GRAPHQL_PASSWORDRESET", {})
    return override_settings(GRAPHQL_PASSWORDRESET={**current, **ALLOWED, **keys})


def post(client: Client, query: str, **variables: Any) -> Any:
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql", body, content_type="application/json").json()["data"]


class CaptureInATestCase(TestCase):
    """A TestCase never commits: delivery that waits for the commit still reaches the block."""

    def setUp(self) -> None:
        names = user_fields()
        self.user = get_user_model()(
            **{names["email"]: "carol@example.com", names["username"]: "carol"}
        )
        self.user.set_password("Old-Passw0rd-9")
        self.user.save()

    def test_the_token_and_link_of_a_request_are_captured(self) -> None:
        with configured(), capture_reset_tokens() as captured:
            post(self.client, REQUEST, email="carol@example.com")
        self.assertEqual(len(captured), 1)
        self.assertEqual(captured.last.user, self.user)
        self.assertEqual(
            captured.last.reset_url, f"https://app.example.com/reset?token={captured.last.key}"
        )
        self.assertTrue(
            post(self.client, VALIDATE, token=captured.last.key)["validateResetToken"]["valid"]
        )

    def test_unknown_addresses_capture_nothing(self) -> None:
        with capture_reset_tokens() as captured:
            post(self.client, REQUEST, email="nobody@example.com")
        self.assertEqual(captured.keys, [])
        with self.assertRaises(AssertionError):
            captured.last  # noqa: B018

    def test_without_the_helper_the_signal_never_comes(self) -> None:
        """The control: this is the trap the helper exists for."""
        seen: list[Any] = []
        from graphql_passwordreset.signals import reset_password_token_created

        def receiver(**kwargs: Any) -> None:
            seen.append(kwargs)

        reset_password_token_created.connect(receiver, dispatch_uid="control")
        try:
            with configured():
                post(self.client, REQUEST, email="carol@example.com")
        finally:
            reset_password_token_created.disconnect(dispatch_uid="control")
        self.assertEqual(seen, [])
        self.assertEqual(ResetPasswordToken.objects.count(), 1)

    def test_a_dispatched_request_is_carried_out_in_the_block(self) -> None:
        dispatchers.jobs.clear()
        with configured(DELIVERY="tests.dispatchers.record"), capture_reset_tokens() as captured:
            post(self.client, REQUEST, email="carol@example.com")
        self.assertEqual(len(captured), 1)
        self.assertEqual(dispatchers.jobs, [])  # the project's dispatcher was not called
        self.assertTrue(
            post(self.client, VALIDATE, token=captured.last.key)["validateResetToken"]["valid"]
        )

    def test_make_reset_token_gives_a_live_token_in_one_call(self) -> None:
        first = make_reset_token(self.user)
        key = make_reset_token(self.user)
        self.assertTrue(post(self.client, VALIDATE, token=key)["validateResetToken"]["valid"])
        self.assertFalse(post(self.client, VALIDATE, token=first)["validateResetToken"]["valid"])


@pytest.mark.django_db
def test_capture_in_pytest(client: Client, user: Any, settings: Any) -> None:
    settings.GRAPHQL_PASSWORDRESET = {**getattr(settings, "GRAPHQL_PASSWORDRESET", {}), **ALLOWED}
    with capture_reset_tokens() as captured:
        post(client, REQUEST, email=email_of(user))
    assert [reset.user for reset in captured] == [user]
    assert post(client, VALIDATE, token=captured.keys[0])["validateResetToken"]["valid"] is True


@pytest.mark.django_db(transaction=True)
def test_capture_without_a_surrounding_transaction(user: Any, client: Client) -> None:
    """In a transactional test (or against a live server) delivery runs at once: still captured."""
    with capture_reset_tokens() as captured:
        post(
            client,
            REQUEST.replace(', redirectUrl: "https://app.example.com/reset"', ""),
            email=email_of(user),
        )
    assert len(captured) == 1 and captured.last.reset_url is None


@pytest.mark.django_db
def test_make_reset_token_confirms(gql: GraphQLClient, user: Any) -> None:
    key = make_reset_token(user)
    assert gql.confirm(key)["ok"] is True
    user.refresh_from_db()
    assert not ResetPasswordToken.objects.filter(user=user).exists()
