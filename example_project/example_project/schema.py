"""The example's GraphQL schema: the password reset operations next to django-graphql-jwt's
sign-in mutations and a ``me`` query, the way a project combines them."""

from __future__ import annotations

from typing import Any

import graphene
import graphql_jwt
from django.contrib.auth import get_user_model
from graphene_django import DjangoObjectType
from graphql_passwordreset.schema import PasswordResetMutation, PasswordResetQuery


class UserType(DjangoObjectType):
    """A user account."""

    class Meta:
        model = get_user_model()
        fields = ("id", "username", "email", "last_login", "date_joined")


class Query(PasswordResetQuery, graphene.ObjectType):
    me = graphene.Field(
        UserType, description="The signed-in user (send `Authorization: JWT <token>`), or null."
    )

    def resolve_me(self, info: graphene.ResolveInfo) -> Any:
        user = info.context.user
        return user if user.is_authenticated else None


class Mutation(PasswordResetMutation, graphene.ObjectType):
    token_auth = graphql_jwt.ObtainJSONWebToken.Field()
    verify_token = graphql_jwt.Verify.Field()
    refresh_token = graphql_jwt.Refresh.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
