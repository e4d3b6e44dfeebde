"""Access tokens bound to the password: with graphql_passwordreset's JWT handlers in GRAPHQL_JWT,
a token issued before a password reset is refused after it, and a fresh one works.

Tokens are used the ways a client uses them: as the Authorization header of a request (the
``viewer`` field of tests/schema.py shows who the request is signed in as) and with verifyToken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from graphql_jwt.settings import jwt_settings

from graphql_passwordreset.checks import JWT_HANDLERS
from graphql_passwordreset.contrib.graphql_jwt import PASSWORD_CLAIM, password_fingerprint

from .conftest import NEW_PASSWORD, PASSWORD, GraphQLClient, reload
from .test_jwt import JWT_SECRET_KEY, token_auth, verify


@pytest.fixture(autouse=True)
def _bound_tokens(settings: Any) -> Iterator[None]:
    """GRAPHQL_JWT with both handlers, as the README tells a project to set it."""
    jwt_settings.reload()
    settings.GRAPHQL_JWT = {
        **settings.GRAPHQL_JWT,
        "JWT_SECRET_KEY": JWT_SECRET_KEY,
        **JWT_HANDLERS,
    }
    yield
    jwt_settings.reload()


def viewer(plain_gql: GraphQLClient, token: str) -> Any:
    return plain_gql.post("{ viewer }", HTTP_AUTHORIZATION=f"JWT {token}").json()


def sign_in(plain_gql: GraphQLClient, user: Any, password: str = PASSWORD) -> str:
    body = token_auth(plain_gql, user, password)
    assert "errors" not in body, body
    return str(body["data"]["tokenAuth"]["token"])


def assert_refused(body: dict[str, Any]) -> None:
    assert body.get("errors"), body
    assert body["errors"][0]["message"] == "Invalid token", body


def test_a_token_carries_the_password_fingerprint_not_the_hash(
    plain_gql: GraphQLClient, user: Any
) -> None:
    payload = jwt.decode(sign_in(plain_gql, user), JWT_SECRET_KEY, algorithms=["HS256"])
    assert payload[PASSWORD_CLAIM] == password_fingerprint(user)
    assert user.password not in str(payload)
    assert len(payload[PASSWORD_CLAIM]) == 32


def test_a_fresh_token_works(plain_gql: GraphQLClient, user: Any) -> None:
    token = sign_in(plain_gql, user)
    assert viewer(plain_gql, token) == {"data": {"viewer": user.get_username()}}
    assert verify(plain_gql, token)["data"]["verifyToken"]["payload"][PASSWORD_CLAIM]


def test_after_a_reset_the_old_token_is_refused_and_a_new_one_works(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
) -> None:
    old = sign_in(plain_gql, user)
    assert gql.confirm(issue(user))["ok"] is True

    assert_refused(viewer(plain_gql, old))
    assert_refused(verify(plain_gql, old))
    new = sign_in(plain_gql, reload(user), NEW_PASSWORD)
    assert viewer(plain_gql, new) == {"data": {"viewer": user.get_username()}}


def test_login_on_confirm_hands_out_a_token_bound_to_the_new_password(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
    configure: Callable[..., None],
) -> None:
    configure(LOGIN_ON_CONFIRM=True)
    old = sign_in(plain_gql, user)
    token = gql.confirm(issue(user))["token"]
    assert viewer(plain_gql, token) == {"data": {"viewer": user.get_username()}}
    assert_refused(viewer(plain_gql, old))


def test_any_password_change_ends_old_tokens(plain_gql: GraphQLClient, user: Any) -> None:
    old = sign_in(plain_gql, user)
    user.set_password("Changed-in-the-admin-1")
    user.save()
    assert_refused(viewer(plain_gql, old))


def test_a_token_without_the_claim_is_refused(plain_gql: GraphQLClient, user: Any) -> None:
    """Issued before the project installed the handlers: its holder signs in once more."""
    payload = {user.USERNAME_FIELD: user.get_username(), "exp": 4_000_000_000}
    token = jwt.encode(payload, JWT_SECRET_KEY, "HS256")
    assert_refused(viewer(plain_gql, token))


def test_a_forged_claim_is_refused(plain_gql: GraphQLClient, user: Any) -> None:
    token = sign_in(plain_gql, user)
    payload = jwt.decode(token, JWT_SECRET_KEY, algorithms=["HS256"])
    payload[PASSWORD_CLAIM] = 12345  # not even a string
    assert_refused(viewer(plain_gql, jwt.encode(payload, JWT_SECRET_KEY, "HS256")))
    payload[PASSWORD_CLAIM] = "0" * 32
    assert_refused(viewer(plain_gql, jwt.encode(payload, JWT_SECRET_KEY, "HS256")))


def test_a_token_of_a_deleted_user_is_refused(plain_gql: GraphQLClient, user: Any) -> None:
    token = sign_in(plain_gql, user)
    user.delete()
    assert_refused(viewer(plain_gql, token))


def test_tokens_survive_a_secret_key_rotation(
    plain_gql: GraphQLClient, user: Any, settings: Any
) -> None:
    """The JWT has its own signing key here; only the fingerprint key rotates."""
    token = sign_in(plain_gql, user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-secret-key-that-is-long-enough-for-django"
    assert viewer(plain_gql, token) == {"data": {"viewer": user.get_username()}}
