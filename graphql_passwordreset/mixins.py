"""The payload fields and resolver logic shared by the plain and the Relay operations.

Each mixin turns GraphQL arguments into a call of ``services`` and its outcome into a
payload, so ``mutations.py`` and ``relay.py`` only declare arguments and cannot drift apart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _
from graphql import GraphQLError

from . import services
from .conf import passwordreset_settings
from .errors import ErrorCode, ErrorDetail
from .types import errors_field

__all__ = [
    "MAX_FIELDS_PER_REQUEST",
    "ConfirmPasswordResetMixin",
    "RequestPasswordResetMixin",
    "ValidateResetTokenMixin",
]

logger = logging.getLogger("graphql_passwordreset")

UNEXPECTED_ERROR_MESSAGE = _(
    "The password reset could not be processed right now. Please try again later."
)


# Password-reset fields (of all three operations together) one request runs for real. Each
# field after them answers THROTTLED at once, without a cache or database round trip, so a
# document of thousands of aliases costs what graphene costs to execute it, and no more. The
# fields that run count against RATES as always, so aliases do not multiply the allowance.
MAX_FIELDS_PER_REQUEST = 10
# Where the count is kept on the request (graphene-django's context, one per HTTP request).
_FIELD_COUNT_ATTRIBUTE = "graphql_passwordreset_fields_run"


def over_field_limit(info: graphene.ResolveInfo) -> bool:
    """Count one password-reset field of this request; True when it is past
    MAX_FIELDS_PER_REQUEST and must not run. A context that takes no attributes (None, a
    dict) is not counted: only a schema run without an HTTP request passes one."""
    context = info.context
    try:
        used = getattr(context, _FIELD_COUNT_ATTRIBUTE, 0) + 1
        setattr(context, _FIELD_COUNT_ATTRIBUTE, used)
    except AttributeError:
        return False
    return bool(used > MAX_FIELDS_PER_REQUEST)


def refused() -> services.Outcome:
    """The answer of a field past the limit: THROTTLED, as if its rate were spent."""
    return services.Outcome(errors=[ErrorDetail.of(ErrorCode.THROTTLED, None)])


def run_service(operation: Callable[..., services.Outcome], *args: Any, **kwargs: Any) -> Any:
    """Run a service; an unexpected exception is logged with its traceback and reaches the
    client only as a generic GraphQL error, never with internal details."""
    try:
        return operation(*args, **kwargs)
    except Exception:
        logger.exception("Unexpected error in %s", operation.__name__)
        raise GraphQLError(str(UNEXPECTED_ERROR_MESSAGE)) from None


class RequestPasswordResetMixin:
    """Request a password reset: a token is created and handed to the project to deliver."""

    ok = graphene.Boolean(
        required=True,
        description=(
            "True when the request was accepted. For an unknown address this is also true "
            "unless the server reveals unknown addresses (NO_INFORMATION_LEAKAGE off)."
        ),
    )
    errors = errors_field()

    @classmethod
    def request_password_reset(
        cls, root: Any, info: graphene.ResolveInfo, email: str, redirect_url: str | None = None
    ) -> Any:
        payload: Any = cls(ok=False, errors=[])  # type: ignore[call-arg]
        # Signal receivers get this payload as ``instance``; like the original package's view
        # instance it carries the request.
        payload.request = info.context
        if over_field_limit(info):
            outcome = refused()
        else:
            outcome = run_service(
                services.request_password_reset,
                info.context,
                email,
                redirect_url,
                sender=cls,
                instance=payload,
            )
        payload.ok, payload.errors = outcome.ok, outcome.errors
        return payload


class ConfirmPasswordResetMixin:
    """Set a new password with a reset token; the token is consumed."""

    ok = graphene.Boolean(required=True, description="True when the password was changed.")
    errors = errors_field()
    token = graphene.String(
        description="A JWT access token for the user; only when LOGIN_ON_CONFIRM is on."
    )
    refresh_token = graphene.String(
        description=(
            "A JWT refresh token for the user; only when LOGIN_ON_CONFIRM is on and "
            "django-graphql-jwt's long-running refresh tokens are enabled."
        )
    )

    @classmethod
    def confirm_password_reset(
        cls,
        root: Any,
        info: graphene.ResolveInfo,
        token: str,
        password: str,
        email: str | None = None,
    ) -> Any:
        if over_field_limit(info):
            outcome = refused()
        else:
            outcome = run_service(
                services.confirm_password_reset, info.context, token, password, email, sender=cls
            )
        return cls(  # type: ignore[call-arg]
            ok=outcome.ok,
            errors=outcome.errors,
            token=outcome.token,
            refresh_token=outcome.refresh_token,
        )


class ValidateResetTokenMixin:
    """Check whether a reset token can still be used, before asking for a new password."""

    valid = graphene.Boolean(
        required=True,
        description="True for a live, unexpired token of an account that may reset.",
    )
    errors = errors_field()
    username = graphene.String(
        description="The account's username; only when USER_DETAILS_ON_VALIDATION is on."
    )
    email = graphene.String(
        description="The account's e-mail address; only when USER_DETAILS_ON_VALIDATION is on."
    )

    @classmethod
    def validate_reset_token(
        cls, root: Any, info: graphene.ResolveInfo, token: str, email: str | None = None
    ) -> Any:
        if over_field_limit(info):
            outcome = refused()
        else:
            outcome = run_service(services.validate_reset_token, info.context, token, email)
        payload = cls(valid=outcome.ok, errors=outcome.errors)  # type: ignore[call-arg]
        user = outcome.user
        if user is not None and passwordreset_settings.USER_DETAILS_ON_VALIDATION:
            payload.username = user.get_username()
            email_value = getattr(user, user.get_email_field_name(), None)
            payload.email = str(email_value) if email_value else None
        return payload
