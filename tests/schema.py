"""Two schemas as a project would write them: plain (the one-line mixins) and Relay (the
operations added one by one), next to django-graphql-jwt's own mutations."""

from __future__ import annotations

import graphene
import graphql_jwt

from graphql_passwordreset import relay
from graphql_passwordreset.schema import PasswordResetMutation, PasswordResetQuery


class Query(PasswordResetQuery, graphene.ObjectType):
    ping = graphene.String(description="A field of the project's own.")

    viewer = graphene.String(
        description="The signed-in user's username (JWT in the Authorization header), or null."
    )

    def resolve_ping(self, info: graphene.ResolveInfo) -> str:
        return "pong"

    def resolve_viewer(self, info: graphene.ResolveInfo) -> str | None:
        user = info.context.user
        return user.get_username() if user.is_authenticated else None


class Mutation(PasswordResetMutation, graphene.ObjectType):
    token_auth = graphql_jwt.ObtainJSONWebToken.Field()
    verify_token = graphql_jwt.Verify.Field()
    refresh_token = graphql_jwt.Refresh.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)


class RelayQuery(graphene.ObjectType):
    validate_reset_token = relay.ValidateResetToken.Field()


class RelayMutation(graphene.ObjectType):
    request_password_reset = relay.RequestPasswordReset.Field()
    confirm_password_reset = relay.ConfirmPasswordReset.Field()


relay_schema = graphene.Schema(query=RelayQuery, mutation=RelayMutation)
