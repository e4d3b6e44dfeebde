"""The operations for Relay schemas: the mutations take ``input`` and echo
``clientMutationId``; ValidateResetToken is a query and stays as it is."""

from __future__ import annotations

from typing import Any

import graphene

from . import mixins
from .queries import ValidateResetToken
from .schema import PasswordResetQuery
from .types import email_argument, password_argument, redirect_url_argument, token_argument

__all__ = [
    "ConfirmPasswordReset",
    "PasswordResetMutation",
    "PasswordResetQuery",
    "RequestPasswordReset",
    "ValidateResetToken",
]


class RequestPasswordReset(mixins.RequestPasswordResetMixin, graphene.ClientIDMutation):
    """Request a password reset: a token is created and handed to the project to deliver."""

    class Input:
        email = email_argument(required=True)
        redirect_url = redirect_url_argument()

    @classmethod
    def mutate_and_get_payload(
        cls,
        root: Any,
        info: graphene.ResolveInfo,
        client_mutation_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        # graphene's ClientIDMutation echoes clientMutationId itself.
        return cls.request_password_reset(root, info, **kwargs)


class ConfirmPasswordReset(mixins.ConfirmPasswordResetMixin, graphene.ClientIDMutation):
    """Set a new password with a reset token; the token is consumed."""

    class Input:
        token = token_argument()
        password = password_argument()
        email = email_argument(required=False)

    @classmethod
    def mutate_and_get_payload(
        cls,
        root: Any,
        info: graphene.ResolveInfo,
        client_mutation_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        return cls.confirm_password_reset(root, info, **kwargs)


class PasswordResetMutation(graphene.ObjectType):
    """The password reset mutations, Relay form: inherit from this in your Mutation type."""

    request_password_reset = RequestPasswordReset.Field()
    confirm_password_reset = ConfirmPasswordReset.Field()
