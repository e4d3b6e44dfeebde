"""django-graphql-jwt integration: revoke refresh tokens on reset, sign in after it."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils import timezone

__all__ = ["issue_tokens", "revoke_refresh_tokens"]

REFRESH_TOKEN_APP = "graphql_jwt.refresh_token"


def revoke_refresh_tokens(user: Any) -> int:
    """Revoke every live refresh token of ``user``; 0 when the refresh-token app is absent."""
    if not apps.is_installed(REFRESH_TOKEN_APP):
        return 0
    from graphql_jwt.refresh_token.utils import get_refresh_token_model

    model = get_refresh_token_model()
    return int(model.objects.filter(user=user, revoked__isnull=True).update(revoked=timezone.now()))


def issue_tokens(user: Any, request: Any) -> tuple[str, str | None]:
    """A fresh access token and, with long-running refresh tokens on, a refresh token."""
    from graphql_jwt.settings import jwt_settings
    from graphql_jwt.shortcuts import create_refresh_token, get_token

    token = get_token(user, request)
    refresh_token = None
    if jwt_settings.JWT_LONG_RUNNING_REFRESH_TOKEN and apps.is_installed(REFRESH_TOKEN_APP):
        refresh_token = str(create_refresh_token(user))
    return token, refresh_token
