"""validateResetToken, and how both validateResetToken and confirmPasswordReset judge a presented
token: live or not, scoped to an address or not, counted as a failed attempt or not.

Judging a token is one behaviour shared by the two operations, so the tests about it run through
the ``present`` fixture against both (and, through ``gql``, against the plain and the Relay
schema). Tokens are obtained the way a client gets them: requestPasswordReset, then the key the
``reset_password_token_created`` signal hands to the project.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.signals import pre_password_reset
from graphql_passwordreset.testing import make_reset_token

from .conftest import (
    NEW_PASSWORD,
    PASSWORD,
    GraphQLClient,
    assert_refused_cleanly,
    codes,
    email_of,
    reload,
    token_of,
)

INVALID_TOKEN = [("token", "INVALID_TOKEN")]
INVALID_EMAIL = [("email", "INVALID_EMAIL")]
THROTTLED = [(None, "THROTTLED")]
# The default TOKEN_EXPIRY_HOURS.
EXPIRY = timedelta(hours=24)


# --- helpers and fixtures ------------------------------------------------------------------


def move_back(user: Any, delta: timedelta) -> None:
    """Age the user's token: created ``delta`` ago."""
    moved = ResetPasswordToken.objects.filter(user_id=user.pk).update(
        created_at=timezone.now() - delta
    )
    assert moved == 1


@pytest.fixture
def bob(make_user: Any) -> Any:
    return make_user("bob@example.com")


class Present:
    """Presents a token (optionally with an address) to validateResetToken or to
    confirmPasswordReset and reports (accepted, errors)."""

    def __init__(self, gql: GraphQLClient, operation: str) -> None:
        self.gql = gql
        self.operation = operation

    def __call__(
        self, token: str, email: str | None = None, **extra: Any
    ) -> tuple[bool, list[dict[str, Any]]]:
        if self.operation == "validate":
            result = self.gql.validate(token, email, **extra)
            return result["valid"], result["errors"]
        result = self.gql.confirm(token, NEW_PASSWORD, email, **extra)
        return result["ok"], result["errors"]


@pytest.fixture(params=["validate", "confirm"])
def present(request: pytest.FixtureRequest, gql: GraphQLClient) -> Present:
    return Present(gql, request.param)


# --- validateResetToken ----------------------------------------------------------------------


def test_live_token_is_valid_and_is_not_consumed(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    assert gql.validate(key) == {"valid": True, "errors": [], "username": None, "email": None}
    # Validating changes nothing: the token stays, and so does the old password.
    assert gql.validate(key)["valid"] is True
    assert token_of(user) is not None
    assert reload(user).check_password(PASSWORD)


def test_user_details_are_returned_when_enabled(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(USER_DETAILS_ON_VALIDATION=True)
    result = gql.validate(issue(user))
    assert result["valid"] is True
    assert result["username"] == user.get_username()
    assert result["email"] == email_of(user)


def test_user_details_follow_the_legacy_setting(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], settings: Any
) -> None:
    settings.DJANGO_REST_PASSWORDRESET_USER_DETAILS_ON_VALIDATION = True
    result = gql.validate(issue(user))
    assert (result["username"], result["email"]) == (user.get_username(), email_of(user))


def test_user_details_are_null_when_disabled(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(USER_DETAILS_ON_VALIDATION=False)
    result = gql.validate(issue(user))
    assert result["valid"] is True
    assert (result["username"], result["email"]) == (None, None)


def test_user_details_are_null_for_an_invalid_token(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(USER_DETAILS_ON_VALIDATION=True)
    issue(user)
    result = gql.validate("not-the-token")
    assert (result["valid"], result["username"], result["email"]) == (False, None, None)
    assert codes(result["errors"]) == INVALID_TOKEN


def test_unknown_token_is_invalid_and_creates_nothing(gql: GraphQLClient, db: None) -> None:
    result = gql.validate("not_a_valid_token")
    assert result["valid"] is False
    assert codes(result["errors"]) == INVALID_TOKEN
    assert not ResetPasswordToken.objects.exists()


def test_expired_token_is_invalid_and_deleted_when_validated(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    move_back(user, EXPIRY + timedelta(minutes=1))
    result = gql.validate(key)
    assert result["valid"] is False
    assert codes(result["errors"]) == INVALID_TOKEN
    assert token_of(user) is None
    assert reload(user).check_password(PASSWORD)


def test_token_just_inside_its_lifetime_is_valid(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    move_back(user, EXPIRY - timedelta(minutes=1))
    assert gql.validate(key)["valid"] is True


def test_expiry_follows_token_expiry_hours(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(TOKEN_EXPIRY_HOURS=1)
    key = issue(user)
    move_back(user, timedelta(minutes=61))
    assert gql.validate(key)["valid"] is False
    assert token_of(user) is None


def test_legacy_negative_expiry_makes_every_token_expired(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], settings: Any
) -> None:
    # The original suite's expired-token case: its expiry setting at -1 hours.
    settings.DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME = -1
    key = issue(user)
    assert token_of(user) is not None
    assert codes(gql.validate(key)["errors"]) == INVALID_TOKEN
    assert token_of(user) is None
    assert reload(user).check_password(PASSWORD)


def test_replaced_token_is_invalid(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    old = issue(user)
    new = issue(user)
    assert codes(gql.validate(old)["errors"]) == INVALID_TOKEN
    assert gql.validate(new)["valid"] is True


def test_used_token_is_invalid(gql: GraphQLClient, user: Any, issue: Callable[[Any], str]) -> None:
    key = issue(user)
    assert gql.confirm(key)["ok"] is True
    result = gql.validate(key)
    assert result["valid"] is False
    assert codes(result["errors"]) == INVALID_TOKEN


def test_token_of_a_user_who_became_inactive_is_invalid(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    user.is_active = False
    user.save()
    assert codes(gql.validate(key)["errors"]) == INVALID_TOKEN


def test_token_of_a_user_who_lost_the_usable_password_is_invalid(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    user.set_unusable_password()
    user.save()
    assert codes(gql.validate(key)["errors"]) == INVALID_TOKEN


def test_user_without_usable_password_is_eligible_when_not_required(
    gql: GraphQLClient, make_user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(REQUIRE_USABLE_PASSWORD=False)
    user = make_user("nopass@example.com", password=None)
    assert gql.validate(issue(user))["valid"] is True


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param(" ", id="blank"),
        pytest.param("a" * 10_000, id="10k-chars"),
        pytest.param("abc\x00def", id="nul-byte"),
        pytest.param("\x00", id="only-nul"),
        pytest.param("abc\ud800def", id="lone-surrogate"),  # JSON can carry one
        pytest.param("tökén-ü-😀-ß-İ", id="unicode"),
        pytest.param("' OR 1=1 --", id="sql-ish"),
        pytest.param("%", id="like-wildcard"),
    ],
)
def test_malformed_token_is_invalid(
    present: Present, user: Any, issue: Callable[[Any], str], token: str
) -> None:
    issue(user)
    accepted, errors = present(token)
    assert accepted is False
    assert codes(errors) == INVALID_TOKEN
    # The real token is untouched.
    assert token_of(user) is not None
    assert reload(user).check_password(PASSWORD)


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda key: key.swapcase(), id="other-case"),
        pytest.param(lambda key: key + " ", id="trailing-space"),
        pytest.param(lambda key: " " + key, id="leading-space"),
        pytest.param(lambda key: key[:-1], id="truncated"),
        pytest.param(lambda key: key + "x", id="extended"),
    ],
)
def test_near_miss_of_the_real_token_is_invalid(
    present: Present, user: Any, issue: Callable[[Any], str], variant: Callable[[str], str]
) -> None:
    # Databases may compare case- or pad-insensitively (MariaDB): only the exact key counts.
    key = issue(user)
    accepted, errors = present(variant(key))
    assert accepted is False
    assert codes(errors) == INVALID_TOKEN


def test_unknown_expired_used_and_ineligible_tokens_get_the_same_answer(
    present: Present, make_user: Any, issue: Callable[[Any], str]
) -> None:
    """Nothing in the answer tells a client why a token is refused."""
    unknown = present("this-token-does-not-exist")

    expired_user = make_user("expired@example.com")
    expired_key = issue(expired_user)
    move_back(expired_user, EXPIRY + timedelta(minutes=1))
    expired = present(expired_key)

    inactive_user = make_user("inactive@example.com")
    inactive_key = issue(inactive_user)
    inactive_user.is_active = False
    inactive_user.save()
    inactive = present(inactive_key)

    used_user = make_user("used@example.com")
    used_key = issue(used_user)
    assert present.gql.confirm(used_key)["ok"] is True
    used = present(used_key)

    assert unknown[0] is False
    assert codes(unknown[1]) == INVALID_TOKEN
    assert expired == inactive == used == unknown


def test_ineligible_users_token_is_kept_when_presented(
    present: Present, user: Any, issue: Callable[[Any], str]
) -> None:
    # Only expiry deletes a presented token; an inactive user's token stays (it is harmless,
    # and an admin may reactivate the account).
    key = issue(user)
    user.is_active = False
    user.save()
    assert present(key)[0] is False
    assert token_of(user) is not None
    assert reload(user).check_password(PASSWORD)


# --- the same judgement in both operations ---------------------------------------------------


def test_expired_token_is_deleted_when_presented(
    present: Present, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    move_back(user, EXPIRY + timedelta(seconds=1))
    accepted, errors = present(key)
    assert accepted is False
    assert codes(errors) == INVALID_TOKEN
    assert token_of(user) is None
    assert reload(user).check_password(PASSWORD)


def test_right_token_with_right_email_is_accepted(
    present: Present, user: Any, issue: Callable[[Any], str]
) -> None:
    accepted, errors = present(issue(user), email_of(user))
    assert (accepted, errors) == (True, [])


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(str.upper, id="upper"),
        pytest.param(str.title, id="title"),
        pytest.param(lambda address: f"  {address}  ", id="padded"),
    ],
)
def test_email_matches_in_any_case(
    present: Present, user: Any, issue: Callable[[Any], str], spelling: Callable[[str], str]
) -> None:
    accepted, errors = present(issue(user), spelling(email_of(user)))
    assert (accepted, errors) == (True, [])


def test_right_token_with_another_users_email_is_invalid(
    present: Present, user: Any, bob: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    accepted, errors = present(key, email_of(bob))
    assert accepted is False
    assert codes(errors) == INVALID_TOKEN
    assert token_of(user) is not None
    assert reload(user).check_password(PASSWORD)


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("nobody@example.com", id="unknown"),
        pytest.param("not-an-address", id="malformed"),
        pytest.param("alice@", id="no-domain"),
        pytest.param("alice@example.com\x00", id="nul-byte"),
        pytest.param("a" * 5_000 + "@example.com", id="too-long"),
        pytest.param("ålice@exämple.com", id="unicode"),
    ],
)
def test_unknown_or_malformed_email_is_invalid_token(
    present: Present, user: Any, issue: Callable[[Any], str], email: str
) -> None:
    key = issue(user)
    wrong_token_answer = Present(present.gql, "validate")("wrong-token")
    accepted, errors = present(key, email)
    assert accepted is False
    # The same answer as a wrong token: nothing tells which addresses exist.
    assert codes(errors) == INVALID_TOKEN
    assert errors == wrong_token_answer[1]
    assert reload(user).check_password(PASSWORD)


@pytest.mark.parametrize("email", ["", "   "])
def test_empty_email_counts_as_not_given(
    present: Present, user: Any, issue: Callable[[Any], str], email: str
) -> None:
    accepted, errors = present(issue(user), email)
    assert (accepted, errors) == (True, [])


def test_wrong_tokens_with_a_known_email_count_as_failed_attempts(
    present: Present, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(MAX_TOKEN_ATTEMPTS=3)
    issue(user)
    for attempt in (1, 2):
        accepted, errors = present(f"guess-{attempt}", email_of(user))
        assert accepted is False
        assert codes(errors) == INVALID_TOKEN
        token = token_of(user)
        assert token is not None and token.failed_attempts == attempt


def test_token_is_deleted_after_max_failed_attempts(
    present: Present, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(MAX_TOKEN_ATTEMPTS=3)
    key = issue(user)
    for attempt in range(3):
        assert codes(present(f"guess-{attempt}", email_of(user).upper())[1]) == INVALID_TOKEN
    assert token_of(user) is None
    # The right token no longer works, with or without the address.
    assert codes(present(key, email_of(user))[1]) == INVALID_TOKEN
    assert codes(present(key)[1]) == INVALID_TOKEN
    assert reload(user).check_password(PASSWORD)


def test_default_max_token_attempts_is_five(
    present: Present, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    for attempt in range(4):
        present(f"guess-{attempt}", email_of(user))
    assert token_of(user) is not None
    present("guess-5", email_of(user))
    assert token_of(user) is None
    assert present(key)[0] is False


def test_right_token_with_another_users_email_counts_against_that_user(
    present: Present, user: Any, bob: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    # For bob's address, alice's token is just one more wrong token.
    configure(MAX_TOKEN_ATTEMPTS=3)
    alice_key = issue(user)
    issue(bob)
    present(alice_key, email_of(bob))
    bob_token, alice_token = token_of(bob), token_of(user)
    assert bob_token is not None and bob_token.failed_attempts == 1
    assert alice_token is not None and alice_token.failed_attempts == 0


def test_wrong_tokens_without_email_are_not_counted(
    present: Present, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    # Without an address there is no token to count against.
    configure(MAX_TOKEN_ATTEMPTS=3)
    key = issue(user)
    for attempt in range(5):
        assert present(f"guess-{attempt}")[0] is False
    token = token_of(user)
    assert token is not None and token.failed_attempts == 0
    assert present(key, email_of(user)) == (True, [])


def test_wrong_tokens_with_an_unknown_email_touch_no_token(
    present: Present, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(MAX_TOKEN_ATTEMPTS=3)
    key = issue(user)
    for attempt in range(4):
        present(f"guess-{attempt}", "nobody@example.com")
    token = token_of(user)
    assert token is not None and token.failed_attempts == 0
    assert present(key) == (True, [])


def test_failed_attempts_of_both_operations_add_up(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(MAX_TOKEN_ATTEMPTS=3)
    key = issue(user)
    gql.validate("guess-1", email_of(user))
    gql.confirm("guess-2", NEW_PASSWORD, email_of(user))
    gql.validate("guess-3", email_of(user))
    assert token_of(user) is None
    assert gql.confirm(key, NEW_PASSWORD, email_of(user))["ok"] is False


def test_require_email_refuses_a_missing_email(
    present: Present, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(REQUIRE_EMAIL_WITH_TOKEN=True)
    key = issue(user)
    for email in (None, "", "   "):
        accepted, errors = present(key, email)
        assert accepted is False
        assert codes(errors) == INVALID_EMAIL
    assert token_of(user) is not None
    assert reload(user).check_password(PASSWORD)


def test_require_email_accepts_the_right_email(
    present: Present, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(REQUIRE_EMAIL_WITH_TOKEN=True)
    assert present(issue(user), email_of(user)) == (True, [])


def test_require_email_refuses_another_users_email(
    present: Present, user: Any, bob: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(REQUIRE_EMAIL_WITH_TOKEN=True)
    key = issue(user)
    assert codes(present(key, email_of(bob))[1]) == INVALID_TOKEN


def test_numeric_codes_with_required_email_work_end_to_end(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(TOKEN_GENERATOR={"CLASS": "number"}, REQUIRE_EMAIL_WITH_TOKEN=True)
    code = issue(user)
    assert code.isdigit() and 10000 <= int(code) <= 99999
    assert codes(gql.validate(code)["errors"]) == INVALID_EMAIL
    assert gql.validate(code, email_of(user))["valid"] is True
    result = gql.confirm(code, NEW_PASSWORD, email_of(user))
    assert (result["ok"], result["errors"]) == (True, [])
    assert reload(user).check_password(NEW_PASSWORD)
    assert token_of(user) is None


def test_numeric_code_guessing_is_stopped_by_max_attempts(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(
        TOKEN_GENERATOR={"CLASS": "number"}, REQUIRE_EMAIL_WITH_TOKEN=True, MAX_TOKEN_ATTEMPTS=3
    )
    code = issue(user)
    guesses = [str(n) for n in range(10000, 10010) if str(n) != code][:3]
    for guess in guesses:
        assert gql.validate(guess, email_of(user))["valid"] is False
    assert gql.validate(code, email_of(user))["valid"] is False


# --- throttling ------------------------------------------------------------------------------


def test_validate_is_throttled_per_ip(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(RATES={"validate_ip": "3/hour"})
    key = issue(user)
    for _ in range(3):
        assert gql.validate(key)["valid"] is True
    result = gql.validate(key)
    assert result["valid"] is False
    assert codes(result["errors"]) == THROTTLED
    assert result["errors"][0]["field"] is None
    # Another client address has its own allowance.
    assert gql.validate(key, REMOTE_ADDR="203.0.113.9")["valid"] is True


def test_throttled_validate_counts_no_failed_attempt(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(RATES={"validate_ip": "1/hour"}, MAX_TOKEN_ATTEMPTS=3)
    issue(user)
    gql.validate("guess-1", email_of(user))
    for attempt in range(5):
        assert codes(gql.validate(f"more-{attempt}", email_of(user))["errors"]) == THROTTLED
    token = token_of(user)
    assert token is not None and token.failed_attempts == 1


def test_validate_throttle_can_be_turned_off(gql: GraphQLClient, db: None, configure: Any) -> None:
    configure(RATES={"validate_ip": None})
    # One more than the default allowance of 60 an hour.
    for attempt in range(61):
        assert codes(gql.validate(f"guess-{attempt}")["errors"]) == INVALID_TOKEN


def test_validate_throttle_default_is_sixty_an_hour(gql: GraphQLClient, db: None) -> None:
    for attempt in range(60):
        assert codes(gql.validate(f"guess-{attempt}")["errors"]) == INVALID_TOKEN
    assert codes(gql.validate("one-too-many")["errors"]) == THROTTLED


# --- i18n ------------------------------------------------------------------------------------


def test_invalid_token_message_is_translated(gql: GraphQLClient, db: None) -> None:
    english = gql.validate("nope")["errors"][0]["message"]
    german = gql.validate("nope", HTTP_ACCEPT_LANGUAGE="de")["errors"][0]["message"]
    assert english == "This password reset link is invalid or has expired."
    assert german and german != english
    # The next request without a preference is English again.
    assert gql.validate("nope")["errors"][0]["message"] == english


# --- ATOMIC_REQUESTS -------------------------------------------------------------------------


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request in one transaction, as the custom-user settings have it; set here too
    so the test means the same under both settings modules."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)


@pytest.mark.django_db(transaction=True)
def test_requests_really_run_in_a_transaction(
    atomic_requests: None, gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    # The confirm opens its own atomic block; under ATOMIC_REQUESTS it is nested in the
    # request's. This guards the tests below against testing nothing.
    depths: list[int] = []

    def receiver(**kwargs: Any) -> None:
        depths.append(len(connection.atomic_blocks))

    pre_password_reset.connect(receiver, dispatch_uid="tests-atomic-depth")
    try:
        assert gql.confirm(issue(user))["ok"] is True
    finally:
        pre_password_reset.disconnect(dispatch_uid="tests-atomic-depth")
    assert depths == [2]


@pytest.mark.django_db(transaction=True)
def test_failed_attempt_persists_under_atomic_requests(
    atomic_requests: None, present: Present, user: Any, issue: Callable[[Any], str]
) -> None:
    # Errors are data, not GraphQL errors, so graphene-django does not roll the request back.
    issue(user)
    assert present("guess", email_of(user))[0] is False
    assert not transaction.get_connection().in_atomic_block
    token = token_of(user)
    assert token is not None and token.failed_attempts == 1


@pytest.mark.django_db(transaction=True)
def test_deletion_after_max_attempts_persists_under_atomic_requests(
    atomic_requests: None,
    present: Present,
    user: Any,
    issue: Callable[[Any], str],
    configure: Any,
) -> None:
    configure(MAX_TOKEN_ATTEMPTS=2)
    issue(user)
    present("guess-1", email_of(user))
    present("guess-2", email_of(user))
    assert token_of(user) is None


@pytest.mark.django_db(transaction=True)
def test_expired_token_deletion_persists_under_atomic_requests(
    atomic_requests: None, present: Present, user: Any, issue: Callable[[Any], str]
) -> None:
    key = issue(user)
    move_back(user, EXPIRY + timedelta(minutes=1))
    assert present(key)[0] is False
    assert token_of(user) is None


# --- bad input -------------------------------------------------------------------------------


FIELDS = "{ valid errors { field message code } username email }"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(f"query {{ validateResetToken {FIELDS} }}", {}, id="token-missing"),
        pytest.param(
            f"query {{ validateResetToken(token: null) {FIELDS} }}", {}, id="token-null-literal"
        ),
        pytest.param(
            f"query($t: String!) {{ validateResetToken(token: $t) {FIELDS} }}",
            {"t": None},
            id="token-null-variable",
        ),
        pytest.param(
            f"query($t: String!) {{ validateResetToken(token: $t) {FIELDS} }}",
            {},
            id="token-variable-not-given",
        ),
        pytest.param(
            f"query($t: String) {{ validateResetToken(token: $t) {FIELDS} }}",
            {"t": "x"},
            id="nullable-variable",
        ),
        pytest.param(
            f"query($t: String!) {{ validateResetToken(token: $t) {FIELDS} }}",
            {"t": 12345},
            id="token-int",
        ),
        pytest.param(
            f"query($t: String!) {{ validateResetToken(token: $t) {FIELDS} }}",
            {"t": ["a", "b"]},
            id="token-list",
        ),
        pytest.param(
            f"query($t: String!) {{ validateResetToken(token: $t) {FIELDS} }}",
            {"t": {"key": "value"}},
            id="token-object",
        ),
        pytest.param(
            "query($t: String!, $e: String) "
            f"{{ validateResetToken(token: $t, email: $e) {FIELDS} }}",
            {"t": "x", "e": 42},
            id="email-int",
        ),
        pytest.param(
            f"query {{ validateResetToken(token: 123) {FIELDS} }}", {}, id="token-int-literal"
        ),
        pytest.param(
            f'query {{ validateResetToken(token: "x", nonsense: 1) {FIELDS} }}',
            {},
            id="unknown-argument",
        ),
        pytest.param('query { validateResetToken(token: "x") }', {}, id="no-selection"),
        pytest.param(
            'query { validateResetToken(token: "x") { valid secret } }', {}, id="unknown-field"
        ),
        pytest.param('query { validateResetToken(token: "x") { valid ', {}, id="unterminated"),
        pytest.param("query {", {}, id="syntax-error"),
        pytest.param("", {}, id="empty-document"),
        pytest.param('mutation { validateResetToken(token: "x") { valid } }', {}, id="as-mutation"),
    ],
)
def test_bad_validate_documents_are_refused_cleanly(
    gql: GraphQLClient, db: None, query: str, variables: dict[str, Any]
) -> None:
    assert_refused_cleanly(gql.post(query, variables))


def test_non_json_body_is_refused_cleanly(gql: GraphQLClient, db: None) -> None:
    response = gql.client.post(gql.path, "{not json", content_type="application/json")
    assert_refused_cleanly(response)


def test_aliased_validations_each_count_against_the_throttle(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(RATES={"validate_ip": "2/hour"})
    key = issue(user)
    query = (
        "query($t: String!) { a: validateResetToken(token: $t) { valid errors { code } } "
        "b: validateResetToken(token: $t) { valid errors { code } } "
        "c: validateResetToken(token: $t) { valid errors { code } } }"
    )
    data = gql.execute(query, {"t": key})
    assert [data[alias]["valid"] for alias in "abc"] == [True, True, False]
    assert data["c"]["errors"] == [{"code": "THROTTLED"}]


def test_an_expired_token_presented_with_its_email_is_deleted_and_not_counted(
    gql: GraphQLClient, user: Any
) -> None:
    key = make_reset_token(user)
    ResetPasswordToken.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert gql.validate(key, email_of(user))["valid"] is False
    assert not ResetPasswordToken.objects.filter(user=user).exists()
