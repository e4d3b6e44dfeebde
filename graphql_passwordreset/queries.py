"""The validateResetToken query: add it with ``ValidateResetToken.Field()``."""

from __future__ import annotations

import inspect
from typing import Any

import graphene

from . import mixins
from .types import email_argument, token_argument

__all__ = ["ValidateResetToken"]


class ValidateResetToken(mixins.ValidateResetTokenMixin, graphene.ObjectType):
    """Whether a reset token can still be used, before asking for a new password."""

    class Meta:
        name = "ValidateResetTokenPayload"

    @classmethod
    def Field(cls, **kwargs: Any) -> graphene.Field:  # noqa: N802 (graphene's spelling)
        """The query field, the way ``graphene.Mutation.Field()`` makes a mutation field."""
        # The type's docstring, as graphene describes the type itself.
        kwargs.setdefault("description", inspect.cleandoc(cls.__doc__ or ""))
        return graphene.Field(
            cls,
            token=token_argument(),
            email=email_argument(required=False),
            resolver=cls.validate_reset_token,
            **kwargs,
        )
