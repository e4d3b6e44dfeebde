"""The example's GraphQL schemas: the password reset operations next to django-graphql-jwt's
sign-in mutations and a ``me`` query, the way a project combines them.

``schema`` (served at /graphql, written to the repository's schema.graphql by ``make schema``)
uses the plain operations; ``relay_schema`` (served at /graphql-relay) the Relay ones, with
``input`` arguments and ``clientMutationId``, for clients built on Relay.
"""

from __future__ import annotations

from typing import Any

import graphene
import graphql_jwt
import graphql_jwt.relay
from django.contrib.auth import get_user_model
from graphene_django import DjangoObjectType
from graphql_passwordreset import relay
from graphql_passwordreset.schema import PasswordResetMutation, PasswordResetQuery


class UserType(DjangoObjectType):
    """A user account."""

    class Meta:
        model = get_user_model()
        fields = ("id", "username", "email", "last_login", "date_joined")


class MeQuery(graphene.ObjectType):
    me = graphene.Field(
        UserType, description="The signed-in user (send `Authorization: JWT <token>`), or null."
    )

    def resolve_me(self, info: graphene.ResolveInfo) -> Any:
        user = info.context.user
        return user if user.is_authenticated else None


class Query(PasswordResetQuery, MeQuery, graphene.ObjectType):
    pass


class Mutation(PasswordResetMutation, graphene.ObjectType):
    token_auth = graphql_jwt.ObtainJSONWebToken.Field()
    verify_token = graphql_jwt.Verify.Field()
    refresh_token = graphql_jwt.Refresh.Field()
    revoke_token = graphql_jwt.Revoke.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)


class RelayQuery(relay.PasswordResetQuery, MeQuery, graphene.ObjectType):
    class Meta:
        name = "Query"


class RelayMutation(relay.PasswordResetMutation, graphene.ObjectType):
    class Meta:
        name = "Mutation"

    token_auth = graphql_jwt.relay.ObtainJSONWebToken.Field()
    verify_token = graphql_jwt.relay.Verify.Field()
    refresh_token = graphql_jwt.relay.Refresh.Field()
    revoke_token = graphql_jwt.relay.Revoke.Field()


relay_schema = graphene.Schema(query=RelayQuery, mutation=RelayMutation)
