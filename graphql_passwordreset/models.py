"""The reset token model. It stores a keyed digest of each token, never the token itself."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.translation import gettext_lazy as _

from .conf import passwordreset_settings

__all__ = ["ResetPasswordToken", "ResetPasswordTokenQuerySet", "token_digests"]

_DIGEST_SALT = b"graphql_passwordreset.ResetPasswordToken.key_digest"
USER_AGENT_MAX_LENGTH = 512


def _digest(key: str, secret: str | bytes) -> str:
    # Derive a purpose-bound key from the project secret, so this digest cannot be confused
    # with any other HMAC Django computes with SECRET_KEY.
    derived = hashlib.sha256(_DIGEST_SALT + force_bytes(secret)).digest()
    return hmac.new(derived, force_bytes(key), hashlib.sha256).hexdigest()


def token_digests(key: str) -> list[str]:
    """The digest of ``key`` under SECRET_KEY first, then under each SECRET_KEY_FALLBACKS entry.

    Looking tokens up by all of them keeps links sent before a secret rotation working.
    """
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_digest(key, secret) for secret in secrets]


def expiry_cutoff() -> datetime:
    """Tokens created at or before this moment are expired."""
    return timezone.now() - timedelta(hours=passwordreset_settings.TOKEN_EXPIRY_HOURS)


class ResetPasswordTokenQuerySet(models.QuerySet["ResetPasswordToken"]):
    def live(self) -> ResetPasswordTokenQuerySet:
        return self.filter(created_at__gt=expiry_cutoff())

    def expired(self) -> ResetPasswordTokenQuerySet:
        return self.filter(created_at__lte=expiry_cutoff())

    def delete_for_users_and_expired(self, user_pks: list[Any], expired_limit: int) -> int:
        """Delete the tokens of these users and the ``expired_limit`` oldest expired tokens;
        return how many rows went.

        The expired ones are picked first (a SELECT through the ``created_at`` index), so the
        DELETE names rows by user and by primary key only: both indexed, bounded whatever the
        backlog, and a form MySQL/MariaDB accept (they refuse LIMIT inside an IN subquery).
        """
        expired_pks = list(
            self.expired().order_by("created_at").values_list("pk", flat=True)[:expired_limit]
        )
        if not user_pks and not expired_pks:
            return 0
        doomed = self.filter(models.Q(user__in=user_pks) | models.Q(pk__in=expired_pks))
        deleted, _ = doomed.delete()
        return deleted

    def record_failed_attempt(self, user_pks: list[Any]) -> None:
        """A wrong token was presented for these users' address: count it against their live
        tokens, and delete the tokens that reached MAX_TOKEN_ATTEMPTS."""
        if not user_pks:
            return
        live = self.live().filter(user__in=user_pks)
        live.update(failed_attempts=models.F("failed_attempts") + 1)
        live.filter(failed_attempts__gte=passwordreset_settings.MAX_TOKEN_ATTEMPTS).delete()

    def find(self, key: str) -> ResetPasswordToken | None:
        """The token whose key is ``key`` (under SECRET_KEY or a fallback), with its user
        loaded, or None."""
        digests = token_digests(key)
        # key_digest is unique: at most one row, so no ORDER BY or LIMIT; a plain equality
        # where there are no SECRET_KEY_FALLBACKS, the usual case.
        tokens = self.select_related("user").order_by()
        if len(digests) == 1:
            tokens = tokens.filter(key_digest=digests[0])
        else:
            tokens = tokens.filter(key_digest__in=digests)
        found = list(tokens)
        token = found[0] if found else None
        # The index found the row; confirm the digest exactly and in constant time, whatever
        # the column's collation (MariaDB's compares case- and pad-insensitively).
        if token is not None and any(
            constant_time_compare(token.key_digest, digest) for digest in digests
        ):
            return token
        return None


class ResetPasswordToken(models.Model):
    """A pending password reset of one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="graphql_password_reset_tokens",
        verbose_name=_("user"),
        db_index=False,  # the one-token-per-user constraint below indexes it already
    )
    key_digest = models.CharField(
        _("key digest"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("HMAC-SHA256 of the token under the project's SECRET_KEY."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(
        _("IP address"), null=True, blank=True, unpack_ipv4=True
    )
    user_agent = models.CharField(
        _("user agent"), max_length=USER_AGENT_MAX_LENGTH, blank=True, default=""
    )
    failed_attempts = models.PositiveSmallIntegerField(
        _("failed attempts"),
        default=0,
        help_text=_("Wrong tokens presented for this user's address while this token was live."),
    )

    objects = ResetPasswordTokenQuerySet.as_manager()

    # The plaintext token. Only set on the instance created for a request, the one handed to
    # the reset_password_token_created signal; never stored, never loaded from the database.
    key: str | None = None

    class Meta:
        verbose_name = _("password reset token")
        verbose_name_plural = _("password reset tokens")
        ordering = ["-created_at"]
        constraints = [
            # A new request replaces the user's token; the database guarantees there is one.
            models.UniqueConstraint(fields=["user"], name="graphql_passwordreset_one_per_user"),
        ]

    if TYPE_CHECKING:
        user_id: Any

    def __str__(self) -> str:
        return str(_("Password reset token for %(user)s") % {"user": self.user})

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(hours=passwordreset_settings.TOKEN_EXPIRY_HOURS)

    def is_expired(self) -> bool:
        return self.created_at <= expiry_cutoff()

    def set_key(self, key: str) -> None:
        """Give this (unsaved) token its plaintext key and the digest that is stored."""
        self.key = key
        self.key_digest = _digest(key, settings.SECRET_KEY)
