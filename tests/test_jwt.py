"""django-graphql-jwt alongside the password reset: a confirm revokes the user's refresh tokens,
and with LOGIN_ON_CONFIRM the confirm payload signs the user in.

The JWT operations (tokenAuth, verifyToken, refreshToken) live in the plain schema only, so they
go through ``plain_gql``; the confirm itself runs against both schemas (``gql``).

graphql_jwt 0.4.0 caches every setting on its ``jwt_settings`` object at first read and clears
that cache only when a ``setting_changed`` signal names GRAPHQL_JWT (which override_settings and
pytest-django's ``settings`` fixture send). Its schema classes read some settings at import time
(the Refresh mutation's arguments, tokenAuth's ``refreshToken`` field), so those follow
tests/settings.py (JWT_LONG_RUNNING_REFRESH_TOKEN on) whatever a test overrides later. Tests here
therefore change GRAPHQL_JWT only through the ``settings`` fixture, keep the other keys, and the
autouse fixture below reloads the cache around each test so no stale value leaks in or out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from graphql_jwt.refresh_token.models import RefreshToken
from graphql_jwt.settings import jwt_settings

from .conftest import NEW_PASSWORD, PASSWORD, GraphQLClient, reload

# A signing key of its own, as a project may set, distinct from SECRET_KEY.
JWT_SECRET_KEY = "tests-only-jwt-signing-key-of-48-characters-long"


@pytest.fixture(autouse=True)
def _fresh_jwt_settings(settings: Any) -> Iterator[None]:
    # graphql_jwt caches its settings; the settings fixture below sends setting_changed, which
    # makes it re-read GRAPHQL_JWT.
    jwt_settings.reload()
    settings.GRAPHQL_JWT = {**settings.GRAPHQL_JWT, "JWT_SECRET_KEY": JWT_SECRET_KEY}
    assert jwt_settings.JWT_SECRET_KEY == JWT_SECRET_KEY
    assert jwt_settings.JWT_LONG_RUNNING_REFRESH_TOKEN is True
    yield
    jwt_settings.reload()


def token_auth(plain_gql: GraphQLClient, user: Any, password: str = PASSWORD) -> Any:
    """Sign in with tokenAuth; its credential argument is named after USERNAME_FIELD."""
    field = get_user_model().USERNAME_FIELD
    query = (
        f"mutation($login: String!, $password: String!) {{ "
        f"tokenAuth({field}: $login, password: $password) {{ token refreshToken payload }} }}"
    )
    return plain_gql.post(query, {"login": user.get_username(), "password": password}).json()


def refresh(plain_gql: GraphQLClient, refresh_token: str) -> Any:
    query = (
        "mutation($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) "
        "{ token refreshToken payload } }"
    )
    return plain_gql.post(query, {"refreshToken": refresh_token}).json()


def verify(plain_gql: GraphQLClient, token: str) -> Any:
    query = "mutation($token: String!) { verifyToken(token: $token) { payload } }"
    return plain_gql.post(query, {"token": token}).json()


@pytest.fixture
def signed_in(plain_gql: GraphQLClient, user: Any) -> str:
    """A refresh token the user obtained by signing in before the reset."""
    body = token_auth(plain_gql, user)
    assert "errors" not in body, body
    refresh_token = body["data"]["tokenAuth"]["refreshToken"]
    assert refresh_token
    assert "errors" not in refresh(plain_gql, refresh_token)
    return str(refresh_token)


# --- revocation ------------------------------------------------------------------------------


def test_confirm_revokes_the_users_refresh_tokens(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    signed_in: str,
    issue: Callable[[Any], str],
) -> None:
    # The refresh above rotated the token; every one the user holds is live before the reset.
    assert RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
    assert gql.confirm(issue(user))["ok"] is True

    assert not RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
    row = RefreshToken.objects.get(user=user, token=signed_in)
    assert row.revoked is not None
    body = refresh(plain_gql, signed_in)
    assert body["errors"]
    assert body["data"] == {"refreshToken": None}


def test_confirm_revokes_no_one_elses_refresh_tokens(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    make_user: Any,
    issue: Callable[[Any], str],
) -> None:
    other = make_user("other@example.com")
    other_refresh = token_auth(plain_gql, other)["data"]["tokenAuth"]["refreshToken"]
    assert gql.confirm(issue(user))["ok"] is True
    assert RefreshToken.objects.get(token=other_refresh).revoked is None
    assert "errors" not in refresh(plain_gql, other_refresh)


def test_failed_confirm_revokes_nothing(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    signed_in: str,
    issue: Callable[[Any], str],
) -> None:
    key = issue(user)
    assert gql.confirm(key, "password123")["ok"] is False
    assert gql.confirm("wrong-token")["ok"] is False
    assert RefreshToken.objects.get(token=signed_in).revoked is None
    assert "errors" not in refresh(plain_gql, signed_in)


def test_old_password_no_longer_signs_in_after_confirm(
    gql: GraphQLClient, plain_gql: GraphQLClient, user: Any, issue: Callable[[Any], str]
) -> None:
    assert gql.confirm(issue(user))["ok"] is True
    assert token_auth(plain_gql, user, PASSWORD)["errors"]
    assert "errors" not in token_auth(plain_gql, user, NEW_PASSWORD)


# --- LOGIN_ON_CONFIRM ------------------------------------------------------------------------


def test_login_on_confirm_returns_working_tokens(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
    configure: Any,
) -> None:
    configure(LOGIN_ON_CONFIRM=True)
    result = gql.confirm(issue(user))
    assert result["ok"] is True
    assert result["token"] and result["refreshToken"]

    verified = verify(plain_gql, result["token"])
    assert "errors" not in verified, verified
    payload = verified["data"]["verifyToken"]["payload"]
    assert payload[get_user_model().USERNAME_FIELD] == user.get_username()

    refreshed = refresh(plain_gql, result["refreshToken"])
    assert "errors" not in refreshed, refreshed
    renewed = refreshed["data"]["refreshToken"]
    assert renewed["token"] and renewed["refreshToken"]
    assert renewed["payload"][get_user_model().USERNAME_FIELD] == user.get_username()


def test_login_on_confirm_refresh_token_outlives_the_revocation(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    signed_in: str,
    issue: Callable[[Any], str],
    configure: Any,
) -> None:
    # Old sessions end with the reset; the one it opens is issued after and stays valid.
    configure(LOGIN_ON_CONFIRM=True)
    result = gql.confirm(issue(user))
    assert RefreshToken.objects.get(token=signed_in).revoked is not None
    assert RefreshToken.objects.get(token=result["refreshToken"]).revoked is None
    assert refresh(plain_gql, signed_in)["errors"]
    assert "errors" not in refresh(plain_gql, result["refreshToken"])


def test_login_on_confirm_off_returns_no_tokens(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(LOGIN_ON_CONFIRM=False)
    result = gql.confirm(issue(user))
    assert result["ok"] is True
    assert (result["token"], result["refreshToken"]) == (None, None)
    assert not RefreshToken.objects.filter(user=user).exists()


def test_login_on_confirm_gives_no_tokens_for_a_failed_confirm(
    gql: GraphQLClient, user: Any, issue: Callable[[Any], str], configure: Any
) -> None:
    configure(LOGIN_ON_CONFIRM=True)
    key = issue(user)
    for result in (gql.confirm(key, "password123"), gql.confirm("wrong-token")):
        assert result["ok"] is False
        assert (result["token"], result["refreshToken"]) == (None, None)
    assert not RefreshToken.objects.filter(user=user).exists()


def long_running_refresh_tokens_off(settings: Any) -> None:
    """Through the settings fixture, which makes graphql_jwt reload its settings."""
    settings.GRAPHQL_JWT = {**settings.GRAPHQL_JWT, "JWT_LONG_RUNNING_REFRESH_TOKEN": False}
    assert jwt_settings.JWT_LONG_RUNNING_REFRESH_TOKEN is False


def refresh_token_app_left_out(settings: Any) -> None:
    settings.INSTALLED_APPS = [
        app for app in settings.INSTALLED_APPS if app != "graphql_jwt.refresh_token"
    ]


@pytest.mark.parametrize(
    "refresh_tokens_off",
    [
        pytest.param(long_running_refresh_tokens_off, id="long-running-refresh-tokens-off"),
        pytest.param(refresh_token_app_left_out, id="refresh-token-app-not-installed"),
    ],
)
def test_login_on_confirm_without_refresh_tokens_signs_in_with_an_access_token(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    issue: Callable[[Any], str],
    configure: Any,
    settings: Any,
    refresh_tokens_off: Callable[[Any], None],
) -> None:
    """Refresh tokens turned off after the request (the setting is read at confirm time) or
    not installed at all: the confirm works and signs in with the access token alone."""
    configure(LOGIN_ON_CONFIRM=True)
    key = issue(user)
    refresh_tokens_off(settings)
    result = gql.confirm(key)
    assert result["ok"] is True and result["errors"] == []
    assert result["token"] and result["refreshToken"] is None
    assert "errors" not in verify(plain_gql, result["token"])
    assert reload(user).check_password(NEW_PASSWORD)
    assert not RefreshToken.objects.filter(user=user).exists()


def test_confirm_revokes_refresh_tokens_with_long_running_tokens_off_too(
    gql: GraphQLClient,
    plain_gql: GraphQLClient,
    user: Any,
    signed_in: str,
    issue: Callable[[Any], str],
    settings: Any,
) -> None:
    """Refresh tokens handed out while the setting was on stay in the table; they go too."""
    assert RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
    long_running_refresh_tokens_off(settings)
    assert gql.confirm(issue(user))["ok"] is True
    assert not RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
