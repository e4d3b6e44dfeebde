"""Request, validate and confirm a password reset, and carry out a dispatched request: plain
Django code, no Graphene in here.

The GraphQL operations (plain and Relay) are thin shells over these functions. Expected
failures are returned as errors, never raised. The rules they apply live in modules of their
own: addresses and accounts (addresses.py, users.py), the client (client.py), reset links
(reset_urls.py), new passwords (passwords.py), rate limits (throttling.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from . import delivery
from .addresses import clean_address, encodable
from .attempts import judge_guess
from .client import audit_ip, audit_user_agent, throttle_key
from .conf import passwordreset_settings
from .errors import ErrorCode, ErrorDetail
from .models import ResetPasswordToken
from .passwords import password_errors
from .reset_urls import redirect_url_allowed, reset_url
from .signals import (
    post_password_reset,
    pre_password_reset,
    reset_password_token_created,
    send_robust,
)
from .throttling import throttled
from .tokens import get_token_generator
from .transactions import run_atomic
from .users import is_eligible, matching_users

__all__ = [
    "Outcome",
    "announce_tokens",
    "confirm_password_reset",
    "create_tokens",
    "deliver",
    "request_password_reset",
    "validate_reset_token",
]

# No token is longer; a longer one is refused before any digest is computed.
MAX_TOKEN_LENGTH = 1024
# Expired tokens cleared by one request, oldest first; the management command clears any
# backlog beyond this (after a long quiet spell, say) without slowing a request down.
EXPIRED_BATCH = 100
# A new token's digest can collide with a live one (short numeric codes); draw again.
TOKEN_INSERT_ATTEMPTS = 5
# A confirm the database chose as a deadlock victim runs again, this many times in all.
CONFIRM_ATTEMPTS = 3
# django-graphql-jwt's refresh tokens, revoked by a reset where the app is installed.
JWT_REFRESH_TOKEN_APP = "graphql_jwt.refresh_token"


@dataclass
class Outcome:
    """What an operation did: its errors (empty on success) and, on success, the user."""

    errors: list[ErrorDetail] = field(default_factory=list)
    user: Any = None
    token: str | None = None
    refresh_token: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _fail(code: ErrorCode, field_name: str | None, message: Any = None) -> Outcome:
    return Outcome(errors=[ErrorDetail.of(code, field_name, message)])


class _TokenAlreadyUsed(Exception):
    """Raised inside the confirm transaction to roll it back when another confirm won."""


# --- tokens --------------------------------------------------------------------------------


def create_tokens(
    address: str, ip_address: str | None, user_agent: str
) -> list[ResetPasswordToken]:
    """Replace the token of every eligible user matching ``address``; clear expired tokens.

    At most four statements, each through an index: the users' SELECT, the SELECT of at most
    EXPIRED_BATCH expired tokens, one DELETE of those and the users' old tokens (none when
    there is nothing to delete) and the INSERT (none for an unknown address).
    """
    generator = get_token_generator()

    def replace() -> list[ResetPasswordToken]:
        users = [user for user in matching_users(address, lock=True) if is_eligible(user)]
        ResetPasswordToken.objects.delete_for_users_and_expired(
            [user.pk for user in users], EXPIRED_BATCH
        )
        tokens = []
        for user in users:
            token = ResetPasswordToken(user=user, ip_address=ip_address, user_agent=user_agent)
            token.set_key(generator.generate_token())
            tokens.append(token)
        ResetPasswordToken.objects.bulk_create(tokens)
        return tokens

    # A digest can collide with a live token, a concurrent request for the same user can insert
    # first (one token per user is a database constraint), or the database can choose this
    # transaction as a deadlock victim: start again.
    return run_atomic(replace, attempts=TOKEN_INSERT_ATTEMPTS, retry_integrity_errors=True)


def announce_tokens(
    tokens: list[ResetPasswordToken],
    base_url: str | None,
    *,
    sender: Any,
    instance: Any,
    request: HttpRequest | None,
) -> None:
    """Send ``reset_password_token_created`` for each new token (its plaintext key is set)."""
    for token in tokens:
        assert token.key is not None
        send_robust(
            reset_password_token_created,
            "reset_password_token_created",
            sender=sender,
            instance=instance,
            reset_password_token=token,
            request=request,
            reset_url=reset_url(base_url, token.key),
        )


def _find_token(key: str | None, email: str | None) -> ResetPasswordToken | ErrorDetail:
    """The live token of an eligible user that ``key`` (and ``email``, if given) identifies."""
    email = (email or "").strip()
    if passwordreset_settings.REQUIRE_EMAIL_WITH_TOKEN and not email:
        return ErrorDetail.of(ErrorCode.INVALID_EMAIL, "email")
    invalid = ErrorDetail.of(ErrorCode.INVALID_TOKEN, "token")
    key = key or ""
    usable_key = bool(key) and len(key) <= MAX_TOKEN_LENGTH and encodable(key)

    if email:
        address = clean_address(email)
        token = judge_guess(key if usable_key else "", matching_users(address) if address else [])
    else:
        token = ResetPasswordToken.objects.find(key) if usable_key else None

    if token is None:
        return invalid
    if token.is_expired():
        token.delete()
        return invalid
    if not is_eligible(token.user):
        return invalid
    return token


def _throttled_find_token(
    request: HttpRequest, scope: str, key: str | None, email: str | None
) -> ResetPasswordToken | Outcome:
    """Count the use against the client's ``scope`` limit, then find the token; a failed
    Outcome when the client is throttled or the token is not usable."""
    if throttled(scope, throttle_key(request)):
        return _fail(ErrorCode.THROTTLED, None)
    found = _find_token(key, email)
    if isinstance(found, ErrorDetail):
        return Outcome(errors=[found])
    return found


def deliver(data: dict[str, Any]) -> int:
    """Carry out a dispatched request (in a worker): replace the tokens of every eligible user
    with the job's address and send ``reset_password_token_created`` for each. Returns how many
    tokens were created."""
    job = delivery.ResetJob.from_dict(data)
    with translation.override(job.language):
        tokens = create_tokens(job.address, job.ip_address, job.user_agent)
        announce_tokens(
            tokens, job.reset_url, sender=job.sender_class(), instance=job, request=None
        )
    return len(tokens)


# --- the three operations ------------------------------------------------------------------


def request_password_reset(
    request: HttpRequest,
    email: str | None,
    redirect_url: str | None = None,
    *,
    sender: Any = None,
    instance: Any = None,
) -> Outcome:
    """Create a token for every eligible user with this address and announce each one.

    Unknown and ineligible addresses get the same answer as known ones unless
    NO_INFORMATION_LEAKAGE is off.
    """
    if throttled("request_ip", throttle_key(request)):
        return _fail(ErrorCode.THROTTLED, None)
    address = clean_address(email)
    if address is None:
        return _fail(ErrorCode.INVALID_EMAIL, "email")
    if redirect_url:
        if not redirect_url_allowed(redirect_url):
            return _fail(ErrorCode.INVALID_REDIRECT_URL, "redirectUrl")
        base_url: str | None = redirect_url
    else:
        base_url = passwordreset_settings.RESET_URL
    if throttled("request_address", address):
        return _fail(ErrorCode.THROTTLED, None)

    dispatcher = delivery.get_dispatcher()
    if dispatcher is not None:
        # Off the request path: a worker looks the address up and creates the tokens.
        if not passwordreset_settings.NO_INFORMATION_LEAKAGE and not any(
            is_eligible(user) for user in matching_users(address)
        ):
            return _fail(ErrorCode.USER_NOT_FOUND, "email")
        job = delivery.ResetJob.for_request(request, address, base_url, sender)
        transaction.on_commit(partial(delivery.dispatch, dispatcher, job))
        return Outcome()

    tokens = create_tokens(address, audit_ip(request), audit_user_agent(request))
    if not tokens and not passwordreset_settings.NO_INFORMATION_LEAKAGE:
        return _fail(ErrorCode.USER_NOT_FOUND, "email")
    # Receivers see committed tokens: under ATOMIC_REQUESTS this waits for the view's commit,
    # and a rolled-back request sends no link.
    transaction.on_commit(
        partial(
            announce_tokens, tokens, base_url, sender=sender, instance=instance, request=request
        )
    )
    return Outcome()


def validate_reset_token(
    request: HttpRequest, token: str | None, email: str | None = None
) -> Outcome:
    """Is ``token`` a live token of an eligible user (scoped to ``email`` when given)?"""
    found = _throttled_find_token(request, "validate_ip", token, email)
    if isinstance(found, Outcome):
        return found
    return Outcome(user=found.user)


def confirm_password_reset(
    request: HttpRequest,
    token: str | None,
    password: str | None,
    email: str | None = None,
    *,
    sender: Any = None,
) -> Outcome:
    """Set the password of the token's user and consume the token, exactly once.

    A failure of any kind leaves the password and the token as they were.
    """
    found = _throttled_find_token(request, "confirm_ip", token, email)
    if isinstance(found, Outcome):
        return found
    user = found.user
    password = password or ""
    errors = password_errors(password, user)
    if errors:
        return Outcome(errors=errors)

    def reset() -> Outcome:
        # The user's row first, as a request takes it (create_tokens), so a confirm and a
        # request for one user queue instead of deadlocking over each other's locks.
        list(
            get_user_model()
            ._default_manager.select_for_update()
            .filter(pk=user.pk)
            .values_list("pk", flat=True)
        )
        # The conditional delete is the single-use guard: of two concurrent confirms, the
        # second waits on the row lock and then deletes nothing. With one token per user (a
        # database constraint), this deletes every reset token the user has.
        deleted, _ = ResetPasswordToken.objects.filter(pk=found.pk, user_id=user.pk).delete()
        if not deleted:
            raise _TokenAlreadyUsed
        pre_password_reset.send(sender=sender, user=user, reset_password_token=found)
        user.set_password(password)
        user.save(update_fields=["password"])
        outcome = Outcome(user=user)
        if apps.is_installed(JWT_REFRESH_TOKEN_APP) or passwordreset_settings.LOGIN_ON_CONFIRM:
            # Imported only here: projects without django-graphql-jwt never load it.
            from .contrib import graphql_jwt

            graphql_jwt.revoke_refresh_tokens(user)
            if passwordreset_settings.LOGIN_ON_CONFIRM:
                # In the same transaction: the new session is there exactly when the new
                # password is, and a failure to issue it leaves the reset undone.
                outcome.token, outcome.refresh_token = graphql_jwt.issue_tokens(user, request)
        return outcome

    try:
        # MariaDB can pick the reset as a deadlock victim when a refresh token is inserted for
        # the user at the same moment (the insert's foreign-key check against the reset's
        # revocation); the whole transaction then runs again, pre_password_reset included.
        outcome = run_atomic(reset, attempts=CONFIRM_ATTEMPTS)
    except _TokenAlreadyUsed:
        return _fail(ErrorCode.INVALID_TOKEN, "token")

    transaction.on_commit(
        partial(
            send_robust,
            post_password_reset,
            "post_password_reset",
            sender=sender,
            user=user,
            reset_password_token=found,
        )
    )
    return outcome
