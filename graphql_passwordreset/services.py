"""Request, validate and confirm a password reset: plain Django code, no Graphene in here.

The GraphQL operations (plain and Relay) are thin shells over these three functions.
Expected failures are returned as errors, never raised.
"""

from __future__ import annotations

import ipaddress
import logging
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import EmailValidator, ProhibitNullCharactersValidator
from django.db import IntegrityError, OperationalError, models, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.http import HttpRequest
from django.http.request import validate_host
from django.utils.http import url_has_allowed_host_and_scheme

from . import delivery, jwt_sessions
from .conf import passwordreset_settings
from .errors import (
    BLANK_PASSWORD_MESSAGE,
    PASSWORD_TOO_LONG_MESSAGE,
    ErrorCode,
    PasswordResetError,
    password_error_code,
)
from .models import USER_AGENT_MAX_LENGTH, ResetPasswordToken
from .signals import post_password_reset, pre_password_reset, reset_password_token_created
from .text import normalise
from .throttling import client_ip, throttled
from .tokens import get_token_generator

__all__ = [
    "Outcome",
    "announce_tokens",
    "audit_ip",
    "audit_user_agent",
    "create_tokens",
    "confirm_password_reset",
    "request_password_reset",
    "validate_reset_token",
]

logger = logging.getLogger("graphql_passwordreset")

# Bounds on what a client may send; anything longer cannot be a real address, token or
# password, and is refused before it reaches the database or a password hasher.
MAX_ADDRESS_LENGTH = 320
MAX_TOKEN_LENGTH = 1024
MAX_PASSWORD_LENGTH = 4096
MAX_URL_LENGTH = 2048
# Expired tokens cleared by one request, oldest first; the management command clears any
# backlog beyond this (after a long quiet spell, say) without slowing a request down.
EXPIRED_BATCH = 100
# A new token's digest can collide with a live one (short numeric codes); draw again.
TOKEN_INSERT_ATTEMPTS = 5


@dataclass
class Outcome:
    """What an operation did: its errors (empty on success) and, on success, the user."""

    errors: list[PasswordResetError] = field(default_factory=list)
    user: Any = None
    token: str | None = None
    refresh_token: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _fail(code: ErrorCode, field_name: str | None, message: Any = None) -> Outcome:
    return Outcome(errors=[PasswordResetError.of(code, field_name, message)])


class _TokenAlreadyUsed(Exception):
    """Raised inside the confirm transaction to roll it back when another confirm won."""


# --- users ---------------------------------------------------------------------------------


def _lookup_is_email(user_model: type[models.Model], lookup_field: str) -> bool:
    if lookup_field == user_model.get_email_field_name():  # type: ignore[attr-defined]
        return True
    try:
        return isinstance(user_model._meta.get_field(lookup_field), models.EmailField)
    except FieldDoesNotExist:
        return False


def _clean_address(value: str | None) -> str | None:
    """The address as it is looked up, or None when it is missing or malformed.

    Only an e-mail lookup field has a format to check; any other takes any non-empty string.
    """
    address = (value or "").strip()
    if not address:
        return None
    if _lookup_is_email(get_user_model(), passwordreset_settings.LOOKUP_FIELD):
        # EmailValidator's domain part admits lone surrogates; no real address has one.
        if len(address) > MAX_ADDRESS_LENGTH or not _encodable(address):
            return None
        try:
            # Validate the address as it compares (NFKC): fullwidth letters are the same address.
            EmailValidator()(unicodedata.normalize("NFKC", address))
        except ValidationError:
            return None
    return address


def _encodable(value: str) -> bool:
    """False for text with lone surrogates (JSON allows them), which no database or URL takes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _matching_users(address: str, *, lock: bool = False) -> list[Any]:
    """Users whose lookup field matches ``address`` case-insensitively, confirmed by NFKC +
    casefold: the database narrows the candidates, Python decides (CVE-2019-19844).

    ``lock`` (inside a transaction) takes the users' row locks, so that concurrent requests for
    one user queue up instead of deadlocking over the gap locks of the token table.
    """
    if len(address) > MAX_ADDRESS_LENGTH or "\x00" in address or not _encodable(address):
        return []  # no stored value is this long, and PostgreSQL refuses NUL in a query
    lookup_field = passwordreset_settings.LOOKUP_FIELD
    # Ask for the NFKC form too, so a fullwidth variant of a stored address is a candidate.
    forms = list(dict.fromkeys([address, unicodedata.normalize("NFKC", address)]))
    wanted = normalise(address)
    return [
        user
        for user in _users_by_lookup_field(lookup_field, forms, lock)
        if normalise(str(getattr(user, lookup_field, "") or "")) == wanted
    ]


def _users_by_lookup_field(lookup_field: str, forms: list[str], lock: bool) -> list[Any]:
    """The users whose ``lookup_field`` equals one of ``forms`` case-insensitively."""
    condition = Q()
    for value in forms:
        condition |= Q(**{f"{lookup_field}__iexact": value})
    users = get_user_model()._default_manager.filter(condition)
    return list(users.select_for_update() if lock else users)


def _is_eligible(user: Any) -> bool:
    if not getattr(user, "is_active", True):
        return False
    return not passwordreset_settings.REQUIRE_USABLE_PASSWORD or user.has_usable_password()


# --- request metadata ----------------------------------------------------------------------


def audit_ip(request: HttpRequest) -> str | None:
    """The address the configured header claims (first entry of a list), or None if not an
    IP address. Kept for audit only: throttles use throttling.client_ip()."""
    raw = str(request.META.get(passwordreset_settings.IP_ADDRESS_HEADER, "") or "")
    # The first entry of a list; an IPv6 zone ("%eth0") is no part of an address to keep.
    first = raw.split(",")[0].strip().split("%")[0]
    try:
        address = ipaddress.ip_address(first)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def audit_user_agent(request: HttpRequest) -> str:
    raw = str(request.META.get(passwordreset_settings.USER_AGENT_HEADER, "") or "")
    return raw.replace("\x00", "")[:USER_AGENT_MAX_LENGTH]


# --- reset URLs ----------------------------------------------------------------------------


def _redirect_url_allowed(url: str) -> bool:
    """An absolute https URL (http too in DEBUG), without user info, on an allowed host."""
    if len(url) > MAX_URL_LENGTH or any(ord(ch) < 33 or ch == "\\" for ch in url):
        return False
    if not _encodable(url):  # a lone surrogate cannot be percent-encoded into the reset URL
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    schemes = {"https", "http"} if settings.DEBUG else {"https"}
    if parts.scheme.lower() not in schemes or not parts.hostname:
        return False
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return False
    allowed = list(passwordreset_settings.ALLOWED_REDIRECT_HOSTS)
    host = parts.hostname
    if not (validate_host(host, allowed) or (port and validate_host(f"{host}:{port}", allowed))):
        return False
    # Django's own guard against the remaining tricks (schemes, control characters, ...).
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={parts.netloc}, require_https=not settings.DEBUG
    )


def _reset_url(base: str | None, key: str) -> str | None:
    """``base`` with ``token=<key>`` in its query string (replacing any token already there)."""
    if not base:
        return None
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    query.append(("token", key))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _send_robust(signal: Signal, name: str, **kwargs: Any) -> None:
    """Send ``signal`` to every receiver; a receiver that raises is logged, the rest still run."""
    for receiver, result in signal.send_robust(**kwargs):
        if isinstance(result, Exception):
            logger.error(
                "A %s receiver (%r) raised an exception; the operation's answer is unchanged.",
                name,
                receiver,
                exc_info=(type(result), result, result.__traceback__),
            )


# --- tokens --------------------------------------------------------------------------------


# SQLSTATEs of a deadlock or serialization failure (PostgreSQL), and MySQL/MariaDB's error
# numbers for a deadlock and a lock wait timeout: the transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRYABLE_MYSQL_ERRORS = frozenset({1213, 1205})


def _worth_retrying(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    args: tuple[Any, ...] = getattr(cause, "args", ())
    return bool(args) and args[0] in RETRYABLE_MYSQL_ERRORS


def create_tokens(
    address: str, ip_address: str | None, user_agent: str
) -> list[ResetPasswordToken]:
    """Replace the token of every eligible user matching ``address``; clear expired tokens.

    At most four statements, each through an index: the users' SELECT, the SELECT of at most
    EXPIRED_BATCH expired tokens, one DELETE of those and the users' old tokens (none when
    there is nothing to delete) and the INSERT (none for an unknown address).
    """
    generator = get_token_generator()
    for attempt in range(TOKEN_INSERT_ATTEMPTS):
        try:
            with transaction.atomic():
                users = [user for user in _matching_users(address, lock=True) if _is_eligible(user)]
                ResetPasswordToken.objects.delete_for_users_and_expired(
                    [user.pk for user in users], EXPIRED_BATCH
                )
                tokens = []
                for user in users:
                    token = ResetPasswordToken(
                        user=user, ip_address=ip_address, user_agent=user_agent
                    )
                    token.set_key(generator.generate_token())
                    tokens.append(token)
                ResetPasswordToken.objects.bulk_create(tokens)
            return tokens
        except (IntegrityError, OperationalError) as exc:
            # A digest collided with a live token, a concurrent request for the same user
            # inserted first (one token per user is a database constraint), or the database
            # chose this transaction as a deadlock victim: start again.
            if attempt == TOKEN_INSERT_ATTEMPTS - 1 or not _worth_retrying(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


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
        _send_robust(
            reset_password_token_created,
            "reset_password_token_created",
            sender=sender,
            instance=instance,
            reset_password_token=token,
            request=request,
            reset_url=_reset_url(base_url, token.key),
        )


def _count_failed_attempt(users: list[Any]) -> None:
    """A wrong token was presented for these users' address: count it against their live
    tokens, and delete the tokens that reached MAX_TOKEN_ATTEMPTS."""
    if not users:
        return
    live = ResetPasswordToken.objects.live().filter(user__in=[user.pk for user in users])
    live.update(failed_attempts=F("failed_attempts") + 1)
    live.filter(failed_attempts__gte=passwordreset_settings.MAX_TOKEN_ATTEMPTS).delete()


def _find_token(key: str | None, email: str | None) -> ResetPasswordToken | PasswordResetError:
    """The live token of an eligible user that ``key`` (and ``email``, if given) identifies."""
    email = (email or "").strip()
    if passwordreset_settings.REQUIRE_EMAIL_WITH_TOKEN and not email:
        return PasswordResetError.of(ErrorCode.INVALID_EMAIL, "email")
    invalid = PasswordResetError.of(ErrorCode.INVALID_TOKEN, "token")

    token: ResetPasswordToken | None = None
    key = key or ""
    if key and len(key) <= MAX_TOKEN_LENGTH and _encodable(key):
        token = ResetPasswordToken.objects.find(key)

    if email:
        address = _clean_address(email)
        scoped_users = _matching_users(address) if address else []
        if token is not None and token.user_id not in {user.pk for user in scoped_users}:
            token = None
        if token is None:
            _count_failed_attempt(scoped_users)
            return invalid

    if token is None:
        return invalid
    if token.is_expired():
        token.delete()
        return invalid
    if not _is_eligible(token.user):
        return invalid
    return token


def _throttled_find_token(
    request: HttpRequest, scope: str, key: str | None, email: str | None
) -> ResetPasswordToken | Outcome:
    """Count the use against the client's ``scope`` limit, then find the token; a failed
    Outcome when the client is throttled or the token is not usable."""
    if throttled(scope, client_ip(request)):
        return _fail(ErrorCode.THROTTLED, None)
    found = _find_token(key, email)
    if isinstance(found, PasswordResetError):
        return Outcome(errors=[found])
    return found


def _password_errors(password: str, user: Any) -> list[PasswordResetError]:
    if not password:
        return [
            PasswordResetError.of(ErrorCode.PASSWORD_TOO_SHORT, "password", BLANK_PASSWORD_MESSAGE)
        ]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [
            PasswordResetError.of(ErrorCode.PASSWORD_INVALID, "password", PASSWORD_TOO_LONG_MESSAGE)
        ]
    if not _encodable(password):  # a lone surrogate cannot be hashed (nor typed)
        return [PasswordResetError.of(ErrorCode.PASSWORD_INVALID, "password")]
    try:
        ProhibitNullCharactersValidator()(password)
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [
            PasswordResetError.of(
                password_error_code(error.code),
                "password",
                error.message % error.params if error.params else error.message,
            )
            for error in exc.error_list
        ]
    return []


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
    if throttled("request_ip", client_ip(request)):
        return _fail(ErrorCode.THROTTLED, None)
    address = _clean_address(email)
    if address is None:
        return _fail(ErrorCode.INVALID_EMAIL, "email")
    if redirect_url:
        if not _redirect_url_allowed(redirect_url):
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
            _is_eligible(user) for user in _matching_users(address)
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
    errors = _password_errors(password, user)
    if errors:
        return Outcome(errors=errors)

    try:
        with transaction.atomic():
            # The user's row first, as a request takes it (create_tokens), so a confirm and a
            # request for one user queue instead of deadlocking over each other's locks.
            list(
                get_user_model()
                ._default_manager.select_for_update()
                .filter(pk=user.pk)
                .values_list("pk", flat=True)
            )
            # The conditional delete is the single-use guard: of two concurrent confirms, the
            # second waits on the row lock and then deletes nothing. With one token per user
            # (a database constraint), this deletes every reset token the user has.
            deleted, _ = ResetPasswordToken.objects.filter(pk=found.pk, user_id=user.pk).delete()
            if not deleted:
                raise _TokenAlreadyUsed
            pre_password_reset.send(sender=sender, user=user, reset_password_token=found)
            user.set_password(password)
            user.save(update_fields=["password"])
            jwt_sessions.revoke_refresh_tokens(user)
            outcome = Outcome(user=user)
            if passwordreset_settings.LOGIN_ON_CONFIRM:
                # In the same transaction: the new session is there exactly when the new
                # password is, and a failure to issue it leaves the reset undone.
                outcome.token, outcome.refresh_token = jwt_sessions.issue_tokens(user, request)
    except _TokenAlreadyUsed:
        return _fail(ErrorCode.INVALID_TOKEN, "token")

    transaction.on_commit(
        partial(
            _send_robust,
            post_password_reset,
            "post_password_reset",
            sender=sender,
            user=user,
            reset_password_token=found,
        )
    )
    return outcome
