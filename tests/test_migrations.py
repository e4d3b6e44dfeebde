"""Migrations match the models, follow AUTH_USER_MODEL, reverse cleanly, and nothing this
package names (table, reverse relation, URL names, GraphQL types) clashes with
django-rest-passwordreset, which a migrating project has installed alongside."""

from __future__ import annotations

import importlib.util

import graphene
import graphql_jwt
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import NoReverseMatch, reverse

from graphql_passwordreset import relay
from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.schema import PasswordResetMutation, PasswordResetQuery

# What django-rest-passwordreset uses: ours must differ.
THEIR_TABLE = "django_rest_passwordreset_resetpasswordtoken"
THEIR_RELATED_NAME = "password_reset_tokens"
THEIR_URL_NAMES = ["reset-password-request", "reset-password-confirm", "reset-password-validate"]


@pytest.mark.django_db
def test_no_migration_is_missing() -> None:
    # Exits with status 1 when the models have changes no migration records.
    call_command("makemigrations", "graphql_passwordreset", "--check", "--dry-run", verbosity=0)


def test_the_initial_migration_depends_on_the_swappable_user_model() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    initial = loader.get_migration("graphql_passwordreset", "0001_initial")
    user_app = settings.AUTH_USER_MODEL.split(".")[0]
    assert any(app == user_app for app, _ in initial.dependencies), initial.dependencies
    assert loader.get_migration_by_prefix("graphql_passwordreset", "0001").initial is True


@pytest.mark.django_db(transaction=True)
def test_the_migrations_reverse_and_apply_again() -> None:
    table = ResetPasswordToken._meta.db_table
    call_command("migrate", "graphql_passwordreset", "zero", verbosity=0)
    assert table not in connection.introspection.table_names()
    call_command("migrate", "graphql_passwordreset", verbosity=0)
    assert table in connection.introspection.table_names()


@pytest.mark.django_db
def test_the_table_has_a_unique_digest_and_one_token_per_user() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, ResetPasswordToken._meta.db_table
        )
    unique_columns = {tuple(c["columns"]) for c in constraints.values() if c["unique"]}
    assert {("key_digest",), ("user_id",)} <= unique_columns


def test_the_table_name_differs_from_django_rest_passwordresets() -> None:
    assert ResetPasswordToken._meta.db_table == "graphql_passwordreset_resetpasswordtoken"
    assert ResetPasswordToken._meta.db_table != THEIR_TABLE


def test_the_reverse_relation_differs_from_django_rest_passwordresets() -> None:
    related_name = ResetPasswordToken._meta.get_field("user").remote_field.related_name
    assert related_name == "graphql_password_reset_tokens" != THEIR_RELATED_NAME


def test_the_package_claims_none_of_django_rest_passwordresets_url_names() -> None:
    # The package ships no URLconf of its own; the GraphQL view is the project's.
    assert importlib.util.find_spec("graphql_passwordreset.urls") is None
    for name in THEIR_URL_NAMES:
        with pytest.raises(NoReverseMatch):
            reverse(name)


def our_type_names(schema: graphene.Schema) -> set[str]:
    return {
        name
        for name in schema.graphql_schema.type_map
        if not name.startswith("__") and name not in {"Query", "Mutation", "String", "Boolean"}
    }


def test_the_graphql_type_names_are_prefixed_with_what_they_belong_to() -> None:
    class Query(PasswordResetQuery, graphene.ObjectType):
        pass

    class Mutation(PasswordResetMutation, graphene.ObjectType):
        pass

    names = our_type_names(graphene.Schema(query=Query, mutation=Mutation))
    assert names == {
        "RequestPasswordResetPayload",
        "ConfirmPasswordResetPayload",
        "ValidateResetTokenPayload",
        "PasswordResetError",
        "PasswordResetErrorCode",
    }


def test_the_relay_type_names_are_prefixed_with_what_they_belong_to() -> None:
    class Query(relay.PasswordResetQuery, graphene.ObjectType):
        pass

    class Mutation(relay.PasswordResetMutation, graphene.ObjectType):
        pass

    names = our_type_names(graphene.Schema(query=Query, mutation=Mutation))
    assert names == {
        "RequestPasswordResetInput",
        "RequestPasswordResetPayload",
        "ConfirmPasswordResetInput",
        "ConfirmPasswordResetPayload",
        "ValidateResetTokenPayload",
        "PasswordResetError",
        "PasswordResetErrorCode",
    }


def test_the_types_live_in_one_schema_with_django_graphql_jwts() -> None:
    class Query(PasswordResetQuery, graphene.ObjectType):
        pass

    class Mutation(PasswordResetMutation, graphene.ObjectType):
        token_auth = graphql_jwt.ObtainJSONWebToken.Field()
        verify_token = graphql_jwt.Verify.Field()
        refresh_token = graphql_jwt.Refresh.Field()
        revoke_token = graphql_jwt.Revoke.Field()

    type_map = graphene.Schema(query=Query, mutation=Mutation).graphql_schema.type_map
    assert {"ObtainJSONWebToken", "Verify", "Refresh", "Revoke"} <= set(type_map)
    assert {"RequestPasswordResetPayload", "PasswordResetError"} <= set(type_map)
