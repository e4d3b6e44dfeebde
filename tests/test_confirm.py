"""confirmPasswordReset: setting the password, consuming the token, password validation, the
pre/post signals, throttling, translation and bad input, against the plain and the Relay schema.

How a presented token is judged (expiry, email scoping, failed attempts) is shared with
validateResetToken and tested for both operations in test_validate.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import translation

from graphql_passwordreset import mutations, relay
from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.signals import post_password_reset, pre_password_reset

from .conftest import (
    NEW_PASSWORD,
    PASSWORD,
    GraphQLClient,
    assert_refused_cleanly,
    codes,
    email_of,
    reload,
    token_of,
    user_fields,
)

INVALID_TOKEN = [("token", "INVALID_TOKEN")]


# --- helpers and fixtures ------------------------------------------------------------------


def django_messages(password: str, user: Any) -> list[str]:
    """What Django's own validators say about ``password`` for ``user``, in English."""
    with translation.override("en"):
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            return list(exc.messages)
    return []


def validators_aware_of(*attributes: str) -> list[dict[str, Any]]:
    """The project's validators, the similarity one told which user fields to compare: the
    custom user model has neither ``username`` nor ``email``."""
    return [
        {
            "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
            "OPTIONS": {"user_attributes": attributes},
        },
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]


class NoForbiddenWordValidator:
    """A project's own password rule, with a code Django does not know."""

    def validate(self, password: str, user: Any = None) -> None:
        if "forbidden" in password.lower():
            raise ValidationError(
                "Passwords may not contain the word %(word)s.",
                code="contains_forbidden_word",
                params={"word": "forbidden"},
            )

    def get_help_text(self) -> str:
        return "Do not use the word forbidden."


@pytest.fixture
def signals_seen() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The pre/post_password_reset sends, in order, with what the database held at the time."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def receiver(name: str) -> Callable[..., None]:
        def receive(signal: Any, **kwargs: Any) -> None:
            user = kwargs["user"]
            kwargs["stored_password_is_new"] = reload(user).check_password(NEW_PASSWORD)
            kwargs["token_row_exists"] = ResetPasswordToken.objects.filter(
                pk=kwargs["reset_password_token"].pk
            ).exists()
            seen.append((name, kwargs))

        return receive

    pre, post = receiver("pre"), receiver("post")
    pre_password_reset.connect(pre, dispatch_uid="tests-confirm-pre")
    post_password_reset.connect(post, dispatch_uid="tests-confirm-post")
    yield seen
    pre_password_reset.disconnect(dispatch_uid="tests-confirm-pre")
    post_password_reset.disconnect(dispatch_uid="tests-confirm-post")


@pytest.fixture
def failing_receiver() -> Iterator[Callable[[Any], None]]:
    """Connect a receiver to a signal that raises with an internal-looking message."""
    connected: list[Any] = []

    def receiver(**kwargs: Any) -> None:
        raise RuntimeError("SMTP relay 10.0.0.7 refused: secret-internal-detail")

    def connect(signal: Any) -> None:
        signal.connect(receiver, dispatch_uid="tests-confirm-failing")
        connected.append(signal)

    yield connect
    for signal in connected:
        signal.disconnect(dispatch_uid="tests-confirm-failing")


def post_confirm(
    gql: GraphQLClient, token: Any, password: Any, fields: str = "ok", **extra: Any
) -> Any:
    """The raw HTTP response of a confirm, for answers that are not a payload."""
    args = {"token": token, "password": password}
    if gql.relay:
        query = (
            "mutation($input: ConfirmPasswordResetInput!) "
            f"{{ confirmPasswordReset(input: $input) {{ {fields} }} }}"
        )
        return gql.post(query, {"input": args}, **extra)
    query = (
        "mutation($token: String!, $password: String!) "
        f"{{ confirmPasswordReset(token: $token, password: $password) {{ {fields} }} }}"
    )
    return gql.post(query, args, **extra)


# --- success ---------------------------------------------------------------------------------


def test_confirm_sets_the_password_and_consumes_the_token(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    result = gql.confirm(key)
    assert (result["ok"], result["errors"]) == (True, [])
    user = reload(user)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert not ResetPasswordToken.objects.filter(user_id=user.pk).exists()
    assert gql.validate(key)["valid"] is False


def test_token_works_only_once(gql: GraphQLClient, user: Any, issue: Callable[[Any], str]) -> None:
    key = issue(user)
    assert gql.confirm(key)["ok"] is True
    again = gql.confirm(key, "Another-fresh-Passw0rd")
    assert again["ok"] is False
    assert codes(again["errors"]) == INVALID_TOKEN
    assert reload(user).check_password(NEW_PASSWORD)


def test_confirm_leaves_other_users_tokens_alone(
    gql: GraphQLClient, make_user: Any, issue: Callable[[Any], str]
) -> None:
    # The original suite's "multiple users" case.
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    alice_key = issue(alice)
    bob_key = issue(bob)
    assert alice_key != bob_key
    assert gql.confirm(bob_key)["ok"] is True
    assert token_of(bob) is None
    assert token_of(alice) is not None
    assert gql.validate(alice_key)["valid"] is True
    assert reload(alice).check_password(PASSWORD)
    # Reusing bob's token fails and leaves his new password in place.
    assert gql.confirm(bob_key, "secret2_fake_new-XY")["ok"] is False
    assert reload(bob).check_password(NEW_PASSWORD)


def test_only_the_latest_token_of_a_user_works(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    old = issue(user)
    new = issue(user)
    assert ResetPasswordToken.objects.filter(user_id=user.pk).count() == 1
    assert codes(gql.confirm(old)["errors"]) == INVALID_TOKEN
    assert gql.confirm(new)["ok"] is True


def test_confirm_with_a_username_lookup(
    gql: GraphQLClient, make_user: Any, captured: Any, configure: Any
) -> None:
    # The original suite's "different lookup" case: users found by their username field.
    username_field = user_fields()["username"]
    configure(LOOKUP_FIELD=username_field)
    user = make_user("not-that-mail@example.com", username="user3@mail.example")
    assert gql.request_reset("user3@mail.example")["ok"] is True
    assert gql.confirm(captured.last_key)["ok"] is True
    assert reload(user).check_password(NEW_PASSWORD)


def test_user_without_usable_password_can_set_one_when_not_required(
    gql: GraphQLClient, make_user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(REQUIRE_USABLE_PASSWORD=False)
    user = make_user("nopass@example.com", password=None)
    assert gql.confirm(issue(user))["ok"] is True
    assert reload(user).check_password(NEW_PASSWORD)
    assert token_of(user) is None


def test_inactive_users_token_does_not_set_a_password(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    user.is_active = False
    user.save()
    result = gql.confirm(key)
    assert codes(result["errors"]) == INVALID_TOKEN
    assert reload(user).check_password(PASSWORD)
    assert token_of(user) is not None


def test_without_login_on_confirm_no_jwt_is_returned(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    result = gql.confirm(issue(user))
    assert result["ok"] is True
    assert (result["token"], result["refreshToken"]) == (None, None)


# --- password validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        pytest.param("Xq7!vB", "PASSWORD_TOO_SHORT", id="too-short"),
        pytest.param("password123", "PASSWORD_TOO_COMMON", id="too-common"),
        pytest.param("73920581647", "PASSWORD_ENTIRELY_NUMERIC", id="entirely-numeric"),
    ],
)
def test_weak_password_is_refused_with_the_validators_message(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], password: str, code: str
) -> None:
    key = issue(user)
    result = gql.confirm(key, password)
    assert result["ok"] is False
    assert result["errors"] == [
        {"field": "password", "code": code, "message": message}
        for message in django_messages(password, user)
    ]
    assert len(result["errors"]) == 1


def test_password_similar_to_the_email_is_refused(
    gql: GraphQLClient, make_user: Any, issue: Callable[[Any], str]
) -> None:
    names = user_fields()
    user = make_user("zanzibar.quokka@example.com")
    with override_settings(AUTH_PASSWORD_VALIDATORS=validators_aware_of(names["email"])):
        key = issue(user)
        result = gql.confirm(key, "Zanzibar.Quokka")
        expected = django_messages("Zanzibar.Quokka", user)
    assert expected and "similar" in expected[0]
    assert result["errors"] == [
        {"field": "password", "code": "PASSWORD_TOO_SIMILAR", "message": expected[0]}
    ]


def test_password_similar_to_the_username_is_refused(
    gql: GraphQLClient, make_user: Any, issue: Callable[[Any], str]
) -> None:
    names = user_fields()
    user = make_user("plain@example.com", username="zebrafinch")
    with override_settings(AUTH_PASSWORD_VALIDATORS=validators_aware_of(names["username"])):
        key = issue(user)
        result = gql.confirm(key, "zebrafinch1")
        expected = django_messages("zebrafinch1", user)
    assert expected
    assert result["errors"] == [
        {"field": "password", "code": "PASSWORD_TOO_SIMILAR", "message": expected[0]}
    ]


def test_validation_sees_the_user_not_just_the_password(
    gql: GraphQLClient, make_user: Any, issue: Callable[[Any], str]
) -> None:
    # The password that is too similar for one user is fine for another.
    names = user_fields()
    zebra = make_user("zebra@example.com", username="zebrafinch")
    other = make_user("other@example.com", username="kingfisher")
    with override_settings(AUTH_PASSWORD_VALIDATORS=validators_aware_of(names["username"])):
        assert gql.confirm(issue(zebra), "zebrafinch1")["ok"] is False
        assert gql.confirm(issue(other), "zebrafinch1")["ok"] is True


def test_other_validator_failures_are_password_invalid(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], settings: Any
) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = [
        *settings.AUTH_PASSWORD_VALIDATORS,
        {"NAME": f"{__name__}.NoForbiddenWordValidator"},
    ]
    key = issue(user)
    result = gql.confirm(key, "My-forbidden-Secret-42")
    assert result["errors"] == [
        {
            "field": "password",
            "code": "PASSWORD_INVALID",
            "message": "Passwords may not contain the word forbidden.",
        }
    ]
    assert gql.confirm(key, NEW_PASSWORD)["ok"] is True


def test_every_failing_validator_is_reported(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    result = gql.confirm(issue(user), "1234567")
    assert codes(result["errors"]) == [
        ("password", "PASSWORD_TOO_SHORT"),
        ("password", "PASSWORD_TOO_COMMON"),
        ("password", "PASSWORD_ENTIRELY_NUMERIC"),
    ]
    assert [error["message"] for error in result["errors"]] == django_messages("1234567", user)


def test_without_validators_any_non_empty_password_is_accepted(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], settings: Any
) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = []
    assert gql.confirm(issue(user), "1")["ok"] is True
    assert reload(user).check_password("1")


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * 10_000, id="10k-chars"),
        pytest.param("Brand-new\x00Secret-42", id="nul-byte"),
        pytest.param("Brand-new\ud800Secret-42", id="lone-surrogate"),
    ],
)
def test_unusable_password_is_refused(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], password: str
) -> None:
    key = issue(user)
    response = post_confirm(gql, key, password, "ok errors { field message code }")
    assert response.status_code == 200
    result = response.json()["data"]["confirmPasswordReset"]
    assert result["ok"] is False
    assert [error["field"] for error in result["errors"]] == ["password"]
    assert reload(user).check_password(PASSWORD)
    assert gql.validate(key)["valid"] is True


def test_empty_password_is_refused_even_without_validators(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], settings: Any
) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = []
    result = gql.confirm(issue(user), "")
    assert codes(result["errors"]) == [("password", "PASSWORD_TOO_SHORT")]
    assert reload(user).check_password(PASSWORD)


def test_nul_byte_password_is_refused_even_without_validators(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], settings: Any
) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = []
    result = gql.confirm(issue(user), "abc\x00def")
    assert codes(result["errors"]) == [("password", "PASSWORD_INVALID")]
    assert reload(user).check_password(PASSWORD)


# --- a failed confirm changes nothing --------------------------------------------------------


def test_weak_password_keeps_password_and_token(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    for weak in ("Xq7!vB", "password123", "73920581647", ""):
        assert gql.confirm(key, weak)["ok"] is False
    token = token_of(user)
    assert token is not None and token.failed_attempts == 0
    assert reload(user).check_password(PASSWORD)
    assert gql.validate(key)["valid"] is True
    assert gql.confirm(key)["ok"] is True


def test_weak_password_with_email_is_not_a_failed_attempt(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(MAX_TOKEN_ATTEMPTS=3)
    key = issue(user)
    for _ in range(4):
        result = gql.confirm(key, "password123", email_of(user))
        assert codes(result["errors"]) == [("password", "PASSWORD_TOO_COMMON")]
    token = token_of(user)
    assert token is not None and token.failed_attempts == 0
    assert gql.confirm(key, NEW_PASSWORD, email_of(user))["ok"] is True


def test_bad_token_keeps_password_and_real_token(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    assert codes(gql.confirm("wrong-token")["errors"]) == INVALID_TOKEN
    assert reload(user).check_password(PASSWORD)
    assert gql.validate(key)["valid"] is True


# --- signals ---------------------------------------------------------------------------------


def test_pre_and_post_password_reset_are_sent(
    gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
    signals_seen: list[tuple[str, dict[str, Any]]],
) -> None:
    key = issue(user)
    token_pk = ResetPasswordToken.objects.get(user_id=user.pk).pk
    assert signals_seen == []
    assert gql.confirm(key)["ok"] is True

    assert [name for name, _ in signals_seen] == ["pre", "post"]
    operation = relay.ConfirmPasswordReset if gql.relay else mutations.ConfirmPasswordReset
    for _, kwargs in signals_seen:
        assert kwargs["sender"] is operation
        assert kwargs["user"].pk == user.pk
        assert isinstance(kwargs["reset_password_token"], ResetPasswordToken)
        assert kwargs["reset_password_token"].pk == token_pk
        assert kwargs["reset_password_token"].user_id == user.pk
    pre, post = signals_seen[0][1], signals_seen[1][1]
    # pre: before the password is stored; post: after, with the token gone.
    assert pre["stored_password_is_new"] is False
    assert post["stored_password_is_new"] is True
    assert post["token_row_exists"] is False


def test_no_signals_for_a_failed_confirm(
    gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
    signals_seen: list[tuple[str, dict[str, Any]]],
) -> None:
    key = issue(user)
    gql.confirm("wrong-token")
    gql.confirm(key, "password123")
    assert signals_seen == []


def test_failing_pre_receiver_rolls_the_reset_back(
    gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
    failing_receiver: Callable[[Any], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = issue(user)
    failing_receiver(pre_password_reset)
    with caplog.at_level(logging.ERROR, logger="graphql_passwordreset"):
        response = post_confirm(gql, key, NEW_PASSWORD)
    body = assert_refused_cleanly(response)
    assert body["data"] == {"confirmPasswordReset": None}
    text = response.content.decode()
    for detail in ("secret-internal-detail", "10.0.0.7", "RuntimeError"):
        assert detail not in text
    # Nothing happened: old password, token still there and usable.
    assert reload(user).check_password(PASSWORD)
    assert token_of(user) is not None
    assert gql.validate(key)["valid"] is True
    # The server side keeps the details.
    assert any(record.levelno == logging.ERROR and record.exc_info for record in caplog.records)


def test_failing_post_receiver_is_logged_and_the_reset_stands(
    gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
    failing_receiver: Callable[[Any], None],
    signals_seen: list[tuple[str, dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = issue(user)
    failing_receiver(post_password_reset)
    with caplog.at_level(logging.ERROR, logger="graphql_passwordreset"):
        result = gql.confirm(key)
    assert (result["ok"], result["errors"]) == (True, [])
    assert reload(user).check_password(NEW_PASSWORD)
    assert token_of(user) is None
    # The other post receiver still ran.
    assert [name for name, _ in signals_seen] == ["pre", "post"]
    errors = [
        record
        for record in caplog.records
        if record.name == "graphql_passwordreset" and record.levelno == logging.ERROR
    ]
    assert len(errors) == 1
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is RuntimeError


# --- throttling ------------------------------------------------------------------------------


def test_confirm_is_throttled_per_ip(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(RATES={"confirm_ip": "3/hour"})
    key = issue(user)
    for _ in range(3):
        assert codes(gql.confirm("wrong-token")["errors"]) == INVALID_TOKEN
    result = gql.confirm(key)
    assert result["ok"] is False
    assert result["errors"][0]["field"] is None
    assert codes(result["errors"]) == [(None, "THROTTLED")]
    # A throttled confirm changes nothing.
    assert reload(user).check_password(PASSWORD)
    assert token_of(user) is not None
    # Another client address has its own allowance.
    assert gql.confirm(key, REMOTE_ADDR="198.51.100.20")["ok"] is True


def test_confirm_throttle_can_be_turned_off(gql: GraphQLClient, db: None, configure: Any) -> None:
    configure(RATES={"confirm_ip": None})
    # One more than the default allowance of 60 an hour.
    for attempt in range(61):
        assert codes(gql.confirm(f"guess-{attempt}")["errors"]) == INVALID_TOKEN


def test_confirm_and_validate_have_separate_allowances(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(RATES={"confirm_ip": "1/hour", "validate_ip": "1/hour"})
    key = issue(user)
    assert gql.validate(key)["valid"] is True
    assert gql.confirm(key)["ok"] is True


# --- i18n ------------------------------------------------------------------------------------


def test_messages_follow_the_request_language(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    english = gql.confirm("wrong-token")["errors"][0]["message"]
    german = gql.confirm("wrong-token", HTTP_ACCEPT_LANGUAGE="de")["errors"][0]["message"]
    assert german and german != english

    weak = gql.confirm(key, "Xq7!vB", HTTP_ACCEPT_LANGUAGE="de")
    # Django's own German catalog, for Django's own validator.
    assert weak["errors"] == [
        {
            "field": "password",
            "code": "PASSWORD_TOO_SHORT",
            "message": "Dieses Passwort ist zu kurz. Es muss mindestens 8 Zeichen enthalten.",
        }
    ]
    english_weak = gql.confirm(key, "Xq7!vB")["errors"][0]["message"]
    assert english_weak == "This password is too short. It must contain at least 8 characters."


# --- bad input -------------------------------------------------------------------------------

PAYLOAD = "{ ok errors { field message code } }"


def bad_documents(relay_schema: bool) -> list[tuple[str, dict[str, Any]]]:
    if relay_schema:
        call = "mutation($input: ConfirmPasswordResetInput!) { confirmPasswordReset(input: $input) "
        return [
            (call + PAYLOAD + " }", {"input": {"token": "x"}}),
            (call + PAYLOAD + " }", {"input": {"password": NEW_PASSWORD}}),
            (call + PAYLOAD + " }", {"input": {"token": None, "password": NEW_PASSWORD}}),
            (call + PAYLOAD + " }", {"input": {"token": "x", "password": None}}),
            (call + PAYLOAD + " }", {"input": {"token": 1, "password": NEW_PASSWORD}}),
            (call + PAYLOAD + " }", {"input": {"token": "x", "password": ["a"]}}),
            (call + PAYLOAD + " }", {"input": {"token": "x", "password": "y", "email": 7}}),
            (call + PAYLOAD + " }", {"input": {"token": "x", "password": "y", "extra": 1}}),
            (call + PAYLOAD + " }", {"input": None}),
            (call + PAYLOAD + " }", {"input": "token"}),
            (call + PAYLOAD + " }", {}),
            ("mutation { confirmPasswordReset " + PAYLOAD + " }", {}),
            ('mutation { confirmPasswordReset(token: "x", password: "y") ' + PAYLOAD + " }", {}),
        ]
    declared = "mutation($token: String!, $password: String!) "
    call = "{ confirmPasswordReset(token: $token, password: $password) "
    return [
        ('mutation { confirmPasswordReset(password: "y") ' + PAYLOAD + " }", {}),
        ('mutation { confirmPasswordReset(token: "x") ' + PAYLOAD + " }", {}),
        ('mutation { confirmPasswordReset(token: null, password: "y") ' + PAYLOAD + " }", {}),
        ('mutation { confirmPasswordReset(token: 5, password: "y") ' + PAYLOAD + " }", {}),
        (declared + call + PAYLOAD + " } }", {"token": None, "password": "y"}),
        (declared + call + PAYLOAD + " } }", {"token": "x"}),
        (declared + call + PAYLOAD + " } }", {"token": 12345, "password": "y"}),
        (declared + call + PAYLOAD + " } }", {"token": "x", "password": {"a": 1}}),
        (declared + call + PAYLOAD + " } }", {"token": "x", "password": True}),
        (
            "mutation($token: String, $password: String) " + call + PAYLOAD + " } }",
            {"token": "x", "password": "y"},
        ),
        ('mutation { confirmPasswordReset(token: "x", password: "y") { ok secret } }', {}),
        ('mutation { confirmPasswordReset(token: "x", password: "y") }', {}),
        ('mutation { confirmPasswordReset(token: "x", password: "y" ', {}),
        ('mutation { confirmPasswordReset(input: {token: "x", password: "y"}) { ok } }', {}),
    ]


def test_bad_confirm_documents_are_refused_cleanly(gql: GraphQLClient, user: Any) -> None:
    for query, variables in bad_documents(gql.relay):
        body = assert_refused_cleanly(gql.post(query, variables))
        assert not (body.get("data") or {}).get("confirmPasswordReset"), (query, body)
    assert reload(user).check_password(PASSWORD)


def test_confirm_over_get_is_refused_cleanly(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    args = {"token": key, "password": NEW_PASSWORD}
    if gql.relay:
        query = (
            "mutation($input: ConfirmPasswordResetInput!) "
            "{ confirmPasswordReset(input: $input) { ok } }"
        )
        variables: dict[str, Any] = {"input": args}
    else:
        query = (
            "mutation($token: String!, $password: String!) "
            "{ confirmPasswordReset(token: $token, password: $password) { ok } }"
        )
        variables = args
    response = gql.client.get(gql.path, {"query": query, "variables": json.dumps(variables)})
    assert_refused_cleanly(response)
    assert reload(user).check_password(PASSWORD)
    assert token_of(user) is not None


def test_two_confirms_in_one_document_use_the_token_once(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    if gql.relay:
        query = (
            "mutation($a: ConfirmPasswordResetInput!, $b: ConfirmPasswordResetInput!) { "
            "first: confirmPasswordReset(input: $a) { ok } "
            "second: confirmPasswordReset(input: $b) { ok } }"
        )
        variables: dict[str, Any] = {
            "a": {"token": key, "password": NEW_PASSWORD},
            "b": {"token": key, "password": "Second-fresh-Passw0rd"},
        }
    else:
        query = (
            "mutation($t: String!) { "
            f'first: confirmPasswordReset(token: $t, password: "{NEW_PASSWORD}") {{ ok }} '
            'second: confirmPasswordReset(token: $t, password: "Second-fresh-Passw0rd") '
            "{ ok } }"
        )
        variables = {"t": key}
    data = gql.execute(query, variables)
    assert (data["first"]["ok"], data["second"]["ok"]) == (True, False)
    assert reload(user).check_password(NEW_PASSWORD)


class _DeadlockCause(Exception):
    """Stands in for MySQLdb's exception for a deadlock, which Django wraps."""


@pytest.mark.django_db(transaction=True)
def test_a_confirm_chosen_as_a_deadlock_victim_runs_again(
    plain_gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    """MariaDB can pick the reset as a deadlock victim when a refresh token is inserted for the
    user at that moment (tests/test_refresh_race.py met it); the reset then runs again. Under
    ATOMIC_REQUESTS on MySQL/MariaDB the deadlock has rolled back the whole request, so the
    reset fails with the generic error and changes nothing (transactions.run_atomic)."""
    key = issue(user)
    failures = [_DeadlockCause(1213, "Deadlock found when trying to get lock")]
    resets: list[Any] = []

    def deadlock_once(user: Any, **kwargs: Any) -> None:
        resets.append(user.pk)
        if failures:
            raise OperationalError(str(failures[0])) from failures.pop()

    request_rolled_back = connection.vendor == "mysql" and bool(
        connection.settings_dict.get("ATOMIC_REQUESTS")
    )
    pre_password_reset.connect(deadlock_once, dispatch_uid="tests-deadlock-once")
    try:
        response = plain_gql.post(
            "mutation($t: String!, $p: String!) { confirmPasswordReset(token: $t, password: $p)"
            " { ok } }",
            {"t": key, "p": "Brand-New-Passw0rd-7"},
        ).json()
    finally:
        pre_password_reset.disconnect(dispatch_uid="tests-deadlock-once")
    user.refresh_from_db()
    if request_rolled_back:
        assert response["data"]["confirmPasswordReset"] is None and response["errors"]
        assert resets == [user.pk]
        assert not user.check_password("Brand-New-Passw0rd-7")
        return
    assert response == {"data": {"confirmPasswordReset": {"ok": True}}}, response
    assert resets == [user.pk, user.pk]  # the first attempt was rolled back and run again
    assert user.check_password("Brand-New-Passw0rd-7")
    assert not ResetPasswordToken.objects.filter(user=user).exists()
