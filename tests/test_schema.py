"""The schema contract: tests/contract.graphql is the SDL of API.md section 2, and the plain
and Relay schemas a project builds with this package offer every type, field, argument and
enum value of it with the same types. Everything of ours carries a description (GraphiQL's
docs pane shows them), and GraphiQL renders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import path
from graphene_django.views import GraphQLView
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
)

from .schema import relay_schema, schema

CONTRACT = build_schema((Path(__file__).parent / "contract.graphql").read_text())
PLAIN = schema.graphql_schema
RELAY = relay_schema.graphql_schema

# The operations this package adds to a project's root types.
OPERATIONS = {
    "mutation": ["requestPasswordReset", "confirmPasswordReset"],
    "query": ["validateResetToken"],
}

# A GraphiQL-enabled view for this module's own URLconf (tests/urls.py serves plain JSON).
urlpatterns = [path("graphiql", GraphQLView.as_view(schema=schema, graphiql=True))]


def contract_types() -> list[GraphQLNamedType]:
    return [
        named
        for name, named in CONTRACT.type_map.items()
        if not name.startswith("__") and name not in {"String", "Boolean"}
    ]


def root(graphql_schema: GraphQLSchema, operation: str) -> GraphQLObjectType:
    found = graphql_schema.query_type if operation == "query" else graphql_schema.mutation_type
    assert found is not None
    return found


def contract_root_field(name: str) -> tuple[str, GraphQLField]:
    for operation, names in OPERATIONS.items():
        if name in names:
            return operation, root(CONTRACT, operation).fields[name]
    raise AssertionError(name)


def assert_same_arguments(
    expected: dict[str, GraphQLArgument | GraphQLInputField],
    actual: dict[str, GraphQLArgument | GraphQLInputField],
    where: str,
) -> None:
    for name, argument in expected.items():
        assert name in actual, f"{where} lacks {name}"
        assert str(actual[name].type) == str(argument.type), f"{where}.{name}"
    # Anything extra must be optional, or existing clients' documents would stop validating.
    for name in actual.keys() - expected.keys():
        extra = actual[name]
        assert not isinstance(extra.type, GraphQLNonNull) or extra.default_value is not None, (
            f"{where}.{name} is an extra required argument"
        )


def assert_has_fields(expected: GraphQLObjectType, actual: GraphQLNamedType) -> None:
    assert isinstance(actual, GraphQLObjectType), actual
    for name, field in expected.fields.items():
        assert name in actual.fields, f"{actual.name} lacks {name}"
        assert str(actual.fields[name].type) == str(field.type), f"{actual.name}.{name}"


# --- the contract file ---------------------------------------------------------------------


def test_the_contract_defines_the_documented_operations_and_types() -> None:
    assert set(root(CONTRACT, "mutation").fields) == set(OPERATIONS["mutation"])
    assert set(root(CONTRACT, "query").fields) == set(OPERATIONS["query"])
    assert {named.name for named in contract_types()} == {
        "Query",
        "Mutation",
        "RequestPasswordResetPayload",
        "ConfirmPasswordResetPayload",
        "ValidateResetTokenPayload",
        "PasswordResetError",
        "PasswordResetErrorCode",
    }


# --- the plain schema ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [n for names in OPERATIONS.values() for n in names], ids=lambda name: name
)
def test_plain_operation_matches_the_contract(name: str) -> None:
    operation, expected = contract_root_field(name)
    actual = root(PLAIN, operation).fields.get(name)
    assert actual is not None, f"no {operation} field {name}"
    assert str(actual.type) == str(expected.type)
    assert_same_arguments(expected.args, actual.args, name)


@pytest.mark.parametrize(
    "name",
    [t.name for t in contract_types() if t.name not in {"Query", "Mutation"}],
    ids=lambda name: name,
)
def test_plain_type_matches_the_contract(name: str) -> None:
    expected = CONTRACT.type_map[name]
    actual = PLAIN.type_map.get(name)
    assert actual is not None, f"no type {name}"
    assert isinstance(actual, type(expected))
    if isinstance(expected, GraphQLEnumType):
        assert isinstance(actual, GraphQLEnumType)
        assert set(expected.values) <= set(actual.values)
    else:
        assert isinstance(expected, GraphQLObjectType)
        assert_has_fields(expected, actual)


def test_the_project_keeps_its_own_fields_next_to_ours() -> None:
    assert "ping" in root(PLAIN, "query").fields
    assert "tokenAuth" in root(PLAIN, "mutation").fields


# --- the Relay schema ----------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATIONS["mutation"])
def test_relay_mutation_takes_one_input_with_the_contracts_arguments(name: str) -> None:
    _, expected = contract_root_field(name)
    actual = root(RELAY, "mutation").fields[name]
    input_name = f"{name[0].upper()}{name[1:]}Input"
    assert list(actual.args) == ["input"]
    assert str(actual.args["input"].type) == f"{input_name}!"
    input_type = RELAY.type_map[input_name]
    assert isinstance(input_type, GraphQLInputObjectType)
    assert_same_arguments(
        {**expected.args, "clientMutationId": GraphQLArgument(RELAY.type_map["String"])},
        input_type.fields,
        input_name,
    )


@pytest.mark.parametrize("name", OPERATIONS["mutation"])
def test_relay_payload_has_the_contracts_fields_and_client_mutation_id(name: str) -> None:
    _, expected = contract_root_field(name)
    actual = root(RELAY, "mutation").fields[name]
    assert str(actual.type) == str(expected.type)
    payload = get_named_type(actual.type)
    assert_has_fields(get_named_type(expected.type), payload)
    assert str(payload.fields["clientMutationId"].type) == "String"


def test_relay_query_is_the_plain_query() -> None:
    _, expected = contract_root_field("validateResetToken")
    actual = root(RELAY, "query").fields["validateResetToken"]
    assert str(actual.type) == str(expected.type)
    assert_same_arguments(expected.args, actual.args, "validateResetToken")
    assert_has_fields(get_named_type(expected.type), get_named_type(actual.type))


@pytest.mark.parametrize("name", ["PasswordResetError", "PasswordResetErrorCode"])
def test_relay_shares_the_error_types(name: str) -> None:
    expected, actual = CONTRACT.type_map[name], RELAY.type_map[name]
    if isinstance(expected, GraphQLEnumType):
        assert set(expected.values) <= set(actual.values)
    else:
        assert_has_fields(expected, actual)


# --- descriptions --------------------------------------------------------------------------


def our_types(graphql_schema: GraphQLSchema) -> Iterator[GraphQLNamedType]:
    """Every non-scalar type reachable from this package's operations."""
    seen: set[str] = set()
    pending = [
        get_named_type(field.type)
        for operation, names in OPERATIONS.items()
        for name in names
        for field in [root(graphql_schema, operation).fields[name]]
    ] + [
        get_named_type(argument.type)
        for operation, names in OPERATIONS.items()
        for name in names
        for argument in root(graphql_schema, operation).fields[name].args.values()
    ]
    while pending:
        named = pending.pop()
        if named.name in seen or not isinstance(
            named, GraphQLObjectType | GraphQLInputObjectType | GraphQLEnumType
        ):
            continue
        seen.add(named.name)
        yield named
        if isinstance(named, GraphQLObjectType | GraphQLInputObjectType):
            pending += [get_named_type(field.type) for field in named.fields.values()]


def undocumented(graphql_schema: GraphQLSchema) -> list[str]:
    """Dotted paths of everything of ours without a non-empty description."""
    missing = []

    def check(where: str, thing: Any) -> None:
        if not (thing.description or "").strip():
            missing.append(where)

    for operation, names in OPERATIONS.items():
        for name in names:
            field = root(graphql_schema, operation).fields[name]
            check(name, field)
            for arg_name, argument in field.args.items():
                check(f"{name}({arg_name})", argument)
    for named in our_types(graphql_schema):
        check(named.name, named)
        if isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                check(f"{named.name}.{value_name}", value)
        else:
            for field_name, field in named.fields.items():
                check(f"{named.name}.{field_name}", field)
                for arg_name, argument in getattr(field, "args", {}).items():
                    check(f"{named.name}.{field_name}({arg_name})", argument)
    return missing


def test_the_walk_reaches_every_type_of_ours() -> None:
    assert {named.name for named in our_types(RELAY)} == {
        "RequestPasswordResetInput",
        "RequestPasswordResetPayload",
        "ConfirmPasswordResetInput",
        "ConfirmPasswordResetPayload",
        "ValidateResetTokenPayload",
        "PasswordResetError",
        "PasswordResetErrorCode",
    }


def test_everything_in_the_plain_schema_is_described() -> None:
    assert undocumented(PLAIN) == []


def test_everything_in_the_relay_schema_is_described() -> None:
    assert undocumented(RELAY) == []


# --- over HTTP: introspection and GraphiQL --------------------------------------------------


def test_introspection_over_http_returns_the_descriptions(client: Client, db: None) -> None:
    query = (
        '{ __type(name: "PasswordResetErrorCode") { description enumValues { name description } } }'
    )
    response = client.post(
        "/graphql", json.dumps({"query": query}), content_type="application/json"
    )
    assert response.status_code == 200
    described = response.json()["data"]["__type"]
    assert described["description"]
    values = {value["name"]: value["description"] for value in described["enumValues"]}
    assert "THROTTLED" in values and all(values.values())


@pytest.mark.urls("tests.test_schema")
def test_graphiql_renders(client: Client, db: None) -> None:
    response = client.get("/graphiql", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "graphiql" in response.content.decode().lower()


@pytest.mark.urls("tests.test_schema")
def test_graphiql_view_still_answers_queries(client: Client, db: None) -> None:
    response = client.post(
        "/graphiql",
        json.dumps({"query": '{ validateResetToken(token: "nope") { valid errors { code } } }'}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["data"]["validateResetToken"] == {
        "valid": False,
        "errors": [{"code": "INVALID_TOKEN"}],
    }
