"""The operations for Relay schemas: the mutations take ``input`` and echo
``clientMutationId``; ValidateResetToken is a query and stays as it is."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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


CLIENT_MUTATION_ID_IN = (
    "Any string; the payload returns it unchanged, so a client can match answers to requests."
)
CLIENT_MUTATION_ID_OUT = "The clientMutationId of the input, unchanged."


def _input_description(operation: str) -> str:
    return f"The arguments of {operation}, in one input object."


def _run_relay(operation: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Call the plain operation with the input's fields, and echo clientMutationId on the
    payload, as Relay's mutation convention asks."""
    client_mutation_id = arguments.pop("client_mutation_id", None)
    payload = operation(**arguments)
    payload.client_mutation_id = client_mutation_id
    return payload


# Written on graphene's plain Mutation, not ClientIDMutation: the input type, its argument and
# both clientMutationId fields are declared here, so each carries its description through
# graphene's public API and GraphiQL documents the Relay operations as fully as the plain ones.
class RequestPasswordResetInput(graphene.InputObjectType):
    """The arguments of requestPasswordReset, in one input object."""

    email = email_argument(required=True)
    redirect_url = redirect_url_argument()
    client_mutation_id = graphene.String(description=CLIENT_MUTATION_ID_IN)


class RequestPasswordReset(mixins.RequestPasswordResetMixin, graphene.Mutation):
    """Request a password reset: a token is created and handed to the project to deliver."""

    class Meta:
        name = "RequestPasswordResetPayload"

    class Arguments:
        input = graphene.Argument(
            RequestPasswordResetInput,
            required=True,
            description=_input_description("requestPasswordReset"),
        )

    client_mutation_id = graphene.String(description=CLIENT_MUTATION_ID_OUT)

    @classmethod
    def mutate(cls, root: Any, info: graphene.ResolveInfo, input: dict[str, Any]) -> Any:
        return _run_relay(partial(cls.request_password_reset, root, info), dict(input))


class ConfirmPasswordResetInput(graphene.InputObjectType):
    """The arguments of confirmPasswordReset, in one input object."""

    token = token_argument()
    password = password_argument()
    email = email_argument(required=False)
    client_mutation_id = graphene.String(description=CLIENT_MUTATION_ID_IN)


class ConfirmPasswordReset(mixins.ConfirmPasswordResetMixin, graphene.Mutation):
    """Set a new password with a reset token; the token is consumed."""

    class Meta:
        name = "ConfirmPasswordResetPayload"

    class Arguments:
        input = graphene.Argument(
            ConfirmPasswordResetInput,
            required=True,
            description=_input_description("confirmPasswordReset"),
        )

    client_mutation_id = graphene.String(description=CLIENT_MUTATION_ID_OUT)

    @classmethod
    def mutate(cls, root: Any, info: graphene.ResolveInfo, input: dict[str, Any]) -> Any:
        return _run_relay(partial(cls.confirm_password_reset, root, info), dict(input))


class PasswordResetMutation(graphene.ObjectType):
    """The password reset mutations, Relay form: inherit from this in your Mutation type."""

    request_password_reset = RequestPasswordReset.Field()
    confirm_password_reset = ConfirmPasswordReset.Field()
