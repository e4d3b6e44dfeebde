"""Token generators (API.md section 7): the two built-in generators' bounds and alphabet,
their randomness, the registry, dotted paths and OPTIONS, end to end through GraphQL."""

from __future__ import annotations

import random
import secrets
import string
from collections.abc import Iterator
from typing import Any

import pytest

from graphql_passwordreset.tokens import (
    BaseTokenGenerator,
    RandomNumberTokenGenerator,
    RandomStringTokenGenerator,
    register_generator,
    registry,
)

from .conftest import GraphQLClient

ADDRESS = "alice@example.com"
ALPHANUMERIC = set(string.ascii_letters + string.digits)
DRAWS = 2000


def configure(settings: Any, **keys: Any) -> None:
    """Set GRAPHQL_PASSWORDRESET keys on top of the settings module's own."""
    settings.GRAPHQL_PASSWORDRESET = {**getattr(settings, "GRAPHQL_PASSWORDRESET", {}), **keys}


class PrefixedTokenGenerator(BaseTokenGenerator):
    """A project's own generator, selected by its dotted path: a prefix from OPTIONS."""

    def __init__(self, prefix: str = "acme-", **kwargs: Any) -> None:
        self.prefix = prefix

    def generate_token(self, *args: Any, **kwargs: Any) -> str:
        return self.prefix + secrets.token_hex(16)


@pytest.fixture
def registered() -> Iterator[type[BaseTokenGenerator]]:
    """A generator registered under a name of the test's own, unregistered afterwards."""

    @register_generator("tests-hex")
    class HexTokenGenerator(BaseTokenGenerator):
        def __init__(self, length: int = 8, **kwargs: Any) -> None:
            self.length = length

        def generate_token(self, *args: Any, **kwargs: Any) -> str:
            return "hex" + secrets.token_hex(self.length)

    yield HexTokenGenerator
    registry.pop("tests-hex", None)


# --- RandomStringTokenGenerator ------------------------------------------------------------


def test_string_tokens_are_10_to_50_characters_by_default() -> None:
    generator = RandomStringTokenGenerator()
    lengths = {len(generator.generate_token()) for _ in range(DRAWS)}
    # Both bounds are reached and nothing falls outside them.
    assert min(lengths) == 10 and max(lengths) == 50


def test_string_tokens_use_exactly_letters_and_digits() -> None:
    generator = RandomStringTokenGenerator()
    characters = set("".join(generator.generate_token() for _ in range(DRAWS)))
    assert characters == ALPHANUMERIC


def test_string_length_bounds_are_configurable() -> None:
    generator = RandomStringTokenGenerator(min_length=3, max_length=5)
    assert {len(generator.generate_token()) for _ in range(500)} == {3, 4, 5}


def test_string_generator_with_equal_bounds_gives_a_fixed_length() -> None:
    generator = RandomStringTokenGenerator(min_length=64, max_length=64)
    assert {len(generator.generate_token()) for _ in range(100)} == {64}


@pytest.mark.parametrize(("low", "high"), [(0, 10), (20, 10), (-1, 5)])
def test_string_generator_refuses_impossible_bounds(low: int, high: int) -> None:
    with pytest.raises(ValueError):
        RandomStringTokenGenerator(min_length=low, max_length=high)


# --- RandomNumberTokenGenerator ------------------------------------------------------------


def test_number_tokens_are_10000_to_99999_by_default() -> None:
    generator = RandomNumberTokenGenerator()
    tokens = [generator.generate_token() for _ in range(DRAWS)]
    assert all(isinstance(token, str) and token.isdigit() for token in tokens)
    assert all(10000 <= int(token) <= 99999 for token in tokens)


def test_number_range_includes_both_ends() -> None:
    generator = RandomNumberTokenGenerator(min_number=0, max_number=9)
    assert {generator.generate_token() for _ in range(500)} == set(string.digits)


def test_number_generator_with_equal_bounds_gives_one_number() -> None:
    assert RandomNumberTokenGenerator(min_number=7, max_number=7).generate_token() == "7"


@pytest.mark.parametrize(("low", "high"), [(10, 9), (-5, 5)])
def test_number_generator_refuses_impossible_ranges(low: int, high: int) -> None:
    with pytest.raises(ValueError):
        RandomNumberTokenGenerator(min_number=low, max_number=high)


# --- randomness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "generator",
    [
        RandomStringTokenGenerator(),
        RandomNumberTokenGenerator(min_number=0, max_number=10**30),
    ],
    ids=["string", "number"],
)
def test_tokens_do_not_repeat_over_many_draws(generator: BaseTokenGenerator) -> None:
    assert len({generator.generate_token() for _ in range(DRAWS)}) == DRAWS


@pytest.mark.parametrize(
    "generator",
    [
        RandomStringTokenGenerator(),
        RandomNumberTokenGenerator(min_number=0, max_number=10**30),
    ],
    ids=["string", "number"],
)
def test_tokens_do_not_follow_the_seedable_random_module(generator: BaseTokenGenerator) -> None:
    # A generator built on the `random` module repeats itself after the same seed (anyone who
    # learns or guesses the seed predicts every token); one built on the OS CSPRNG does not.
    state = random.getstate()
    try:
        tokens = set()
        for _ in range(20):
            random.seed(1234)
            tokens.add(generator.generate_token())
    finally:
        random.setstate(state)
    assert len(tokens) == 20


# --- BaseTokenGenerator --------------------------------------------------------------------


def test_base_generator_accepts_any_arguments() -> None:
    BaseTokenGenerator()
    BaseTokenGenerator(1, "two", min_length=3, anything=object())


def test_base_generator_must_be_subclassed_to_generate() -> None:
    with pytest.raises(NotImplementedError):
        BaseTokenGenerator().generate_token()


def test_builtin_generators_accept_the_arguments_of_any_other_generator() -> None:
    # A project switching CLASS may leave options of the other generator behind.
    assert RandomStringTokenGenerator(min_number=1, max_number=2).generate_token().isalnum()
    assert RandomNumberTokenGenerator(min_length=1, max_length=2).generate_token().isdigit()


# --- the registry --------------------------------------------------------------------------


def test_builtin_generators_are_registered_as_string_and_number() -> None:
    assert registry["string"] is RandomStringTokenGenerator
    assert registry["number"] is RandomNumberTokenGenerator


def test_register_generator_adds_the_class_and_returns_it_unchanged(
    registered: type[BaseTokenGenerator],
) -> None:
    assert registry["tests-hex"] is registered
    assert registered.__name__ == "HexTokenGenerator"


def test_a_registered_generator_produces_the_tokens_end_to_end(
    settings: Any, gql: GraphQLClient, user: Any, captured: Any, registered: Any
) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "tests-hex"})
    assert gql.request_reset(ADDRESS)["ok"] is True
    key = captured.last_key
    assert key.startswith("hex") and len(key) == 3 + 16
    assert gql.validate(key)["valid"] is True
    assert gql.confirm(key)["ok"] is True


def test_options_reach_a_registered_generator(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any, registered: Any
) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "tests-hex", "OPTIONS": {"length": 20}})
    plain_gql.request_reset(ADDRESS)
    assert len(captured.last_key) == 3 + 40


def test_a_dotted_path_to_a_generator_produces_the_tokens_end_to_end(
    settings: Any, gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "tests.test_tokens.PrefixedTokenGenerator"})
    gql.request_reset(ADDRESS)
    key = captured.last_key
    assert key.startswith("acme-") and len(key) == 5 + 32
    assert gql.confirm(key)["ok"] is True


def test_options_reach_a_generator_named_by_dotted_path(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(
        settings,
        TOKEN_GENERATOR={
            "CLASS": "tests.test_tokens.PrefixedTokenGenerator",
            "OPTIONS": {"prefix": "shop-"},
        },
    )
    plain_gql.request_reset(ADDRESS)
    assert captured.last_key.startswith("shop-")


@pytest.mark.parametrize(
    ("options", "length"),
    [({"min_length": 12, "max_length": 12}, 12), ({"min_length": 50, "max_length": 50}, 50)],
)
def test_options_reach_the_string_generator(
    settings: Any,
    plain_gql: GraphQLClient,
    user: Any,
    captured: Any,
    options: dict[str, int],
    length: int,
) -> None:
    configure(settings, TOKEN_GENERATOR={"CLASS": "string", "OPTIONS": options})
    plain_gql.request_reset(ADDRESS)
    assert len(captured.last_key) == length


def test_options_reach_the_number_generator(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    options = {"min_number": 123456789, "max_number": 123456789}
    configure(settings, TOKEN_GENERATOR={"CLASS": "number", "OPTIONS": options})
    plain_gql.request_reset(ADDRESS)
    assert captured.last_key == "123456789"
    assert plain_gql.validate(captured.last_key)["valid"] is True


def test_the_dotted_path_of_a_builtin_generator_works(
    settings: Any, plain_gql: GraphQLClient, user: Any, captured: Any
) -> None:
    configure(
        settings,
        TOKEN_GENERATOR={
            "CLASS": "graphql_passwordreset.tokens.RandomNumberTokenGenerator",
            "OPTIONS": {"min_number": 10**9, "max_number": 10**10},
        },
    )
    plain_gql.request_reset(ADDRESS)
    assert 10**9 <= int(captured.last_key) <= 10**10
