"""GraphQL types shared by the operations: the error, its code enum and the errors field."""

from __future__ import annotations

from typing import Any

import graphene

from .errors import ErrorCode

__all__ = [
    "PasswordResetError",
    "PasswordResetErrorCode",
    "email_argument",
    "errors_field",
    "password_argument",
    "redirect_url_argument",
    "token_argument",
]

PasswordResetErrorCode = graphene.Enum.from_enum(
    ErrorCode,
    name="PasswordResetErrorCode",
    description=(
        "Why a password reset operation did not succeed. Values may be added in later "
        "versions; existing values never change meaning."
    ),
)


class PasswordResetError(graphene.ObjectType):
    """An expected failure of a password reset operation (bad input, bad token, weak
    password, too many attempts)."""

    field = graphene.String(
        description=(
            'The argument the error concerns: "email", "token", "password" or "redirectUrl"; '
            "null when it concerns the whole operation (THROTTLED)."
        )
    )
    message = graphene.String(
        required=True,
        description="A human-readable message in the request's language.",
    )
    code = graphene.Field(
        PasswordResetErrorCode,
        required=True,
        description="A stable, machine-readable code to branch on.",
    )

    @staticmethod
    def resolve_message(parent: Any, info: graphene.ResolveInfo) -> str:
        return str(parent.message)  # lazily translated: render in the request's language


def errors_field() -> graphene.List:
    return graphene.List(
        graphene.NonNull(PasswordResetError),
        required=True,
        description="Why the operation did not succeed; empty on success.",
    )


# Argument declarations, shared by the plain operations (arguments) and the Relay ones (input
# fields), so both document the same thing.
def email_argument(*, required: bool) -> graphene.String:
    if required:
        return graphene.String(
            required=True,
            description="The address (or other identifier, see LOOKUP_FIELD) of the account.",
        )
    return graphene.String(
        description=(
            "The account's address. Scopes the token to that account; required when the "
            "server sets REQUIRE_EMAIL_WITH_TOKEN (short numeric codes)."
        )
    )


def redirect_url_argument() -> graphene.String:
    return graphene.String(
        description=(
            "Where the reset link should point; the token is added to its query string. Its "
            "host must be in ALLOWED_REDIRECT_HOSTS. Defaults to the server's RESET_URL."
        )
    )


def token_argument() -> graphene.String:
    return graphene.String(required=True, description="The reset token the user received.")


def password_argument() -> graphene.String:
    return graphene.String(
        required=True,
        description="The new password; checked by the server's password validators.",
    )
