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


# graphene's ClientIDMutation generates the input type, its ``input`` argument and both
# clientMutationId fields without descriptions. The input type's comes from the Meta
# ``input_fields`` (graphene copies them into the generated class, a __doc__ included); the
# rest is set here, so GraphiQL documents the Relay operations as fully as the plain ones.
def _input_docstring(operation: str) -> dict[str, Any]:
    return {"__doc__": f"The arguments of {operation}, in one input object."}


class RequestPasswordReset(mixins.RequestPasswordResetMixin, graphene.ClientIDMutation):
    """Request a password reset: a token is created and handed to the project to deliver."""

    class Meta:
        input_fields = _input_docstring("requestPasswordReset")

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

    class Meta:
        input_fields = _input_docstring("confirmPasswordReset")

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


def _describe_generated_fields(mutation: Any, operation: str) -> None:
    input_field = mutation.Input._meta.fields["client_mutation_id"]
    input_field.description = (
        "Any string; the payload returns it unchanged, so a client can match answers to requests."
    )
    payload_field = mutation._meta.fields["client_mutation_id"]
    payload_field.description = "The clientMutationId of the input, unchanged."
    mutation._meta.arguments["input"].kwargs["description"] = _input_docstring(operation)["__doc__"]


_describe_generated_fields(RequestPasswordReset, "requestPasswordReset")
_describe_generated_fields(ConfirmPasswordReset, "confirmPasswordReset")


class PasswordResetMutation(graphene.ObjectType):
    """The password reset mutations, Relay form: inherit from this in your Mutation type."""

    request_password_reset = RequestPasswordReset.Field()
    confirm_password_reset = ConfirmPasswordReset.Field()
