"""The two mutations, plain form: add them with ``RequestPasswordReset.Field()``."""

from __future__ import annotations

from typing import Any

import graphene

from . import mixins
from .types import email_argument, password_argument, redirect_url_argument, token_argument

__all__ = ["ConfirmPasswordReset", "RequestPasswordReset"]


class RequestPasswordReset(mixins.RequestPasswordResetMixin, graphene.Mutation):
    """Request a password reset: a token is created and handed to the project to deliver."""

    class Meta:
        name = "RequestPasswordResetPayload"
        # A dict keeps the contract's argument order (an Arguments class would sort them).
        arguments = {
            "email": email_argument(required=True),
            "redirect_url": redirect_url_argument(),
        }

    @classmethod
    def mutate(cls, root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> Any:
        return cls.request_password_reset(root, info, **kwargs)


class ConfirmPasswordReset(mixins.ConfirmPasswordResetMixin, graphene.Mutation):
    """Set a new password with a reset token; the token is consumed."""

    class Meta:
        name = "ConfirmPasswordResetPayload"
        arguments = {
            "token": token_argument(),
            "password": password_argument(),
            "email": email_argument(required=False),
        }

    @classmethod
    def mutate(cls, root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> Any:
        return cls.confirm_password_reset(root, info, **kwargs)
