"""The GraphQL schema of the benchmark: this package's operations and one field of the
project's own that touches no database, to measure what graphene costs by itself."""

from __future__ import annotations

import graphene

from graphql_passwordreset.schema import PasswordResetMutation, PasswordResetQuery


class Query(PasswordResetQuery, graphene.ObjectType):
    ping = graphene.String(description="Answers without any database work.")

    def resolve_ping(self, info: graphene.ResolveInfo) -> str:
        return "pong"


class Mutation(PasswordResetMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
