"""The GraphQL schema of the benchmark: this package's operations, and a no-op twin of each
that takes the same arguments and returns the same payload type without any database work
(no service, no throttle). The same-shaped document sent to a twin is graphene's floor for
that operation: what parsing, validating and executing the document and encoding the answer
cost by themselves."""

from __future__ import annotations

from typing import Any

import graphene

from graphql_passwordreset.mutations import ConfirmPasswordReset, RequestPasswordReset
from graphql_passwordreset.queries import ValidateResetToken
from graphql_passwordreset.schema import PasswordResetMutation, PasswordResetQuery
from graphql_passwordreset.types import (
    email_argument,
    password_argument,
    redirect_url_argument,
    token_argument,
)


def _noop_request(root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> RequestPasswordReset:
    return RequestPasswordReset(ok=True, errors=[])


def _noop_validate(root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> ValidateResetToken:
    return ValidateResetToken(valid=True, errors=[])


def _noop_confirm(root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> ConfirmPasswordReset:
    return ConfirmPasswordReset(ok=True, errors=[], token=None, refresh_token=None)


class Query(PasswordResetQuery, graphene.ObjectType):
    noop_validate_reset_token = graphene.Field(
        ValidateResetToken,
        token=token_argument(),
        email=email_argument(required=False),
        resolver=_noop_validate,
        description="validateResetToken's arguments and payload (ValidateResetTokenPayload), "
        "no work.",
    )


class Mutation(PasswordResetMutation, graphene.ObjectType):
    noop_request_password_reset = graphene.Field(
        RequestPasswordReset,
        args={"email": email_argument(required=True), "redirect_url": redirect_url_argument()},
        resolver=_noop_request,
        description="requestPasswordReset's arguments and payload (RequestPasswordResetPayload), "
        "no work.",
    )
    noop_confirm_password_reset = graphene.Field(
        ConfirmPasswordReset,
        args={
            "token": token_argument(),
            "password": password_argument(),
            "email": email_argument(required=False),
        },
        resolver=_noop_confirm,
        description="confirmPasswordReset's arguments and payload (ConfirmPasswordResetPayload), "
        "no work.",
    )


schema = graphene.Schema(query=Query, mutation=Mutation)
