"""django-graphql-jwt integration: sessions end with the password they were opened under.

Imported only where django-graphql-jwt is used (the services import it when a reset revokes
refresh tokens or signs the user in; a project names the handlers below in its settings).

Refresh tokens: a reset revokes every refresh token of the user (``revoke_refresh_tokens``),
and ``LOGIN_ON_CONFIRM`` signs the user in afterwards (``issue_tokens``). A refresh that was in
flight during the reset (it read its token as live before the reset committed, and stores the
rotated token after) would slip past that revocation; two pieces close the gap:
``get_refresh_token`` (set it as ``JWT_GET_REFRESH_TOKEN_HANDLER``) reads the token and its
user in one query, so the refresh holds the password its token was live under, and
``revoke_if_password_changed`` (connected by the app when the refresh-token app is installed)
revokes a new refresh token at once when that password is no longer the user's.

Access tokens: ``jwt_payload`` and ``jwt_decode`` end every access token when the user's
password changes.

A JWT is valid until it expires, whatever happens to the account; revoking refresh tokens does
not touch access tokens already handed out. These handlers bind each access token to the
password it was issued under: the payload carries a fingerprint of the user's password hash,
and decoding a token checks it against the password the user has now. After a reset (or any
password change) older tokens are refused as invalid. Plug both into the project's settings::

    GRAPHQL_JWT = {
        "JWT_PAYLOAD_HANDLER": "graphql_passwordreset.contrib.graphql_jwt.jwt_payload",
        "JWT_DECODE_HANDLER": "graphql_passwordreset.contrib.graphql_jwt.jwt_decode",
        # with long-running refresh tokens:
        "JWT_GET_REFRESH_TOKEN_HANDLER": (
            "graphql_passwordreset.contrib.graphql_jwt.get_refresh_token"
        ),
    }

The fingerprint is an HMAC of the hash under a key derived from SECRET_KEY: it reveals nothing
about the password or its hash, though JWT payloads are readable by anyone who holds them.
"""

from __future__ import annotations

from typing import Any

import jwt
from django.apps import apps
from django.conf import settings
from django.db import router, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from graphql_jwt import utils as jwt_utils
from graphql_jwt.refresh_token.utils import get_refresh_token_model
from graphql_jwt.settings import jwt_settings
from graphql_jwt.shortcuts import create_refresh_token, get_token

__all__ = [
    "PASSWORD_CLAIM",
    "REFRESH_TOKEN_APP",
    "connect_signals",
    "get_refresh_token",
    "issue_tokens",
    "jwt_decode",
    "jwt_payload",
    "password_fingerprint",
    "revoke_if_password_changed",
    "revoke_refresh_tokens",
]

PASSWORD_CLAIM = "pwdFingerprint"
# The HMAC's purpose; it was named after this code's first home and stays, so that tokens
# issued before the move keep their fingerprints.
_FINGERPRINT_SALT = "graphql_passwordreset.jwt_handlers.password_fingerprint"
REFRESH_TOKEN_APP = "graphql_jwt.refresh_token"


def revoke_refresh_tokens(user: Any) -> int:
    """Revoke every live refresh token of ``user``; 0 when the refresh-token app is absent."""
    if not apps.is_installed(REFRESH_TOKEN_APP):
        return 0
    model = get_refresh_token_model()
    return int(model.objects.filter(user=user, revoked__isnull=True).update(revoked=timezone.now()))


def get_refresh_token(refresh_token_model: Any, token: str, context: Any = None) -> Any:
    """``JWT_GET_REFRESH_TOKEN_HANDLER``: the live refresh token ``token``, as
    django-graphql-jwt's own handler finds it, with its user read in the same query.

    One query is one snapshot: if the token was live, the user's password is the one it was
    live under, even when a reset commits a moment later. The rotated token stored from it
    then carries that password into ``revoke_if_password_changed``.
    """
    return refresh_token_model.objects.select_related("user").get(token=token, revoked__isnull=True)


def revoke_if_password_changed(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """``post_save`` of the refresh-token model: revoke a new refresh token at once when the
    user's password is no longer the one the token was issued for.

    That is the refresh in flight during a reset: it read its token as live before the reset
    committed, and stored the rotated one after the reset's revocation had run. The user's row
    lock waits for a reset in progress to commit, so the comparison sees its new password.
    """
    if not created:
        return
    user = instance.user
    user_model = type(user)
    database = router.db_for_write(user_model)
    with transaction.atomic(using=database):
        current = (
            user_model._default_manager.db_manager(database)
            .select_for_update()
            .filter(pk=user.pk)
            .values_list("password", flat=True)
            .first()
        )
        if current != user.password:
            sender._default_manager.filter(pk=instance.pk).update(revoked=timezone.now())


def connect_signals() -> None:
    """Connect ``revoke_if_password_changed`` to the refresh-token model (the app's ready())."""
    post_save.connect(
        revoke_if_password_changed,
        sender=get_refresh_token_model(),
        dispatch_uid="graphql_passwordreset.revoke_if_password_changed",
    )


def issue_tokens(user: Any, request: Any) -> tuple[str, str | None]:
    """A fresh access token and, with long-running refresh tokens on, a refresh token."""
    token = get_token(user, request)
    refresh_token = None
    if jwt_settings.JWT_LONG_RUNNING_REFRESH_TOKEN and apps.is_installed(REFRESH_TOKEN_APP):
        refresh_token = str(create_refresh_token(user))
    return token, refresh_token


def password_fingerprint(user: Any, secret: str | bytes | None = None) -> str:
    """A short keyed digest of ``user``'s current password hash."""
    return salted_hmac(
        _FINGERPRINT_SALT, user.password or "", secret=secret, algorithm="sha256"
    ).hexdigest()[:32]


def jwt_payload(user: Any, context: Any = None) -> dict[str, Any]:
    """django-graphql-jwt's payload, plus the fingerprint of the password it is issued under."""
    payload: dict[str, Any] = jwt_utils.jwt_payload(user, context)
    payload[PASSWORD_CLAIM] = password_fingerprint(user)
    return payload


def jwt_decode(token: str, context: Any = None) -> dict[str, Any]:
    """django-graphql-jwt's decode, refusing a token issued under another password.

    A token without the claim (issued before these handlers were installed) is refused too:
    its holder signs in once more. The refusal is PyJWT's InvalidTokenError, which
    django-graphql-jwt answers as "Invalid token", like any other bad token.
    """
    payload: dict[str, Any] = jwt_utils.jwt_decode(token, context)
    claim = payload.get(PASSWORD_CLAIM)
    if not isinstance(claim, str):
        raise jwt.InvalidTokenError("The token is not bound to a password.")
    username = jwt_settings.JWT_PAYLOAD_GET_USERNAME_HANDLER(payload)
    user = jwt_settings.JWT_GET_USER_BY_NATURAL_KEY_HANDLER(username) if username else None
    if user is None:
        raise jwt.InvalidTokenError("The token's user does not exist.")
    # A token signed before a SECRET_KEY rotation carries a fingerprint under the old key.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(
        constant_time_compare(claim, password_fingerprint(user, secret)) for secret in secrets
    ):
        raise jwt.InvalidTokenError("The password has changed since the token was issued.")
    return payload
