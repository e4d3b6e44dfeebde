"""Every password reset operation at once: inherit from these in your Query and Mutation."""

from __future__ import annotations

import graphene

from .mutations import ConfirmPasswordReset, RequestPasswordReset
from .queries import ValidateResetToken

__all__ = ["PasswordResetMutation", "PasswordResetQuery"]


class PasswordResetMutation(graphene.ObjectType):
    """The password reset mutations: inherit from this in your Mutation type."""

    request_password_reset = RequestPasswordReset.Field()
    confirm_password_reset = ConfirmPasswordReset.Field()


class PasswordResetQuery(graphene.ObjectType):
    """The password reset query: inherit from this in your Query type."""

    validate_reset_token = ValidateResetToken.Field()
