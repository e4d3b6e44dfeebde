"""The API with the gql client over HTTP, against the live example server, as a mobile app or
another back end would use it: request, read the e-mail, validate, confirm, sign in with the
new password; the plain operations at /graphql and the Relay ones at /graphql-relay.

The plain client validates every document against the committed schema.graphql, the file
front-end teams generate typed clients from; the Relay client introspects the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

from .conftest import REPO, ExampleServer, ReceivedMail

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Blue-Kettle-Morning-42"
ERRORS = "errors { field message code }"


def token_from(mail: ReceivedMail) -> str:
    [token] = parse_qs(urlsplit(mail.reset_link).query)["token"]
    return token


@contextmanager
def api(server: ExampleServer, path: str = "/graphql", jwt: str | None = None) -> Iterator[Any]:
    """A gql session on ``path``: one requests.Session, which keeps the cookies it is sent."""
    transport = RequestsHTTPTransport(
        url=server.url(path),
        headers={"Authorization": f"JWT {jwt}"} if jwt else None,
        timeout=15,
    )
    if path == "/graphql":
        client = Client(transport=transport, schema=(REPO / "schema.graphql").read_text())
    else:
        client = Client(transport=transport, fetch_schema_from_transport=True)
    with client as session:
        yield session


def run(session: Any, document: str, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = session.execute(GraphQLRequest(document, variable_values=variables))
    return result


def error_codes(payload: dict[str, Any]) -> set[str]:
    return {error["code"] for error in payload["errors"]}


REQUEST = f"""mutation Request($email: String!) {{
  requestPasswordReset(email: $email) {{ ok {ERRORS} }}
}}"""
VALIDATE = f"""query Validate($token: String!) {{
  validateResetToken(token: $token) {{ valid {ERRORS} }}
}}"""
CONFIRM = f"""mutation Confirm($token: String!, $password: String!) {{
  confirmPasswordReset(token: $token, password: $password) {{ ok {ERRORS} token refreshToken }}
}}"""
SIGN_IN = """mutation SignIn($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken }
}"""
REFRESH = """mutation Refresh($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { token refreshToken }
}"""
REVOKE = """mutation Revoke($refreshToken: String!) {
  revokeToken(refreshToken: $refreshToken) { revoked }
}"""
ME = "query Me { me { username email } }"


def test_reset_with_the_gql_client(example_server: ExampleServer) -> None:
    account = example_server.create_account()
    old_password = account["password"]
    with api(example_server) as session:
        # Signed in twice before the reset: a refresh token works then; the reset must
        # revoke the other one.
        credentials = {"username": account["username"], "password": old_password}
        signed_in_before = run(session, SIGN_IN, **credentials)["tokenAuth"]
        first = signed_in_before["refreshToken"]
        access_before = signed_in_before["token"]
        with api(example_server, jwt=access_before) as signed_in_session:
            assert run(signed_in_session, ME)["me"]["username"] == account["username"]
        before_refresh = run(session, SIGN_IN, **credentials)["tokenAuth"]["refreshToken"]
        assert run(session, REFRESH, refreshToken=first)["refreshToken"]["token"]

        requested = run(session, REQUEST, email=account["email"])
        assert requested == {"requestPasswordReset": {"ok": True, "errors": []}}
        # The session now holds the csrftoken cookie /graphql sets; that alone is no
        # credential, so the JSON requests below are still accepted without a CSRF token.
        assert "csrftoken" in session.transport.session.cookies

        token = token_from(example_server.mailbox.expect(account["email"]))
        valid = run(session, VALIDATE, token=token)
        assert valid == {"validateResetToken": {"valid": True, "errors": []}}

        weak = run(session, CONFIRM, token=token, password="12345678")["confirmPasswordReset"]
        assert weak["ok"] is False
        assert error_codes(weak) == {"PASSWORD_TOO_COMMON", "PASSWORD_ENTIRELY_NUMERIC"}
        assert {error["field"] for error in weak["errors"]} == {"password"}
        assert weak["token"] is None

        done = run(session, CONFIRM, token=token, password=NEW_PASSWORD)["confirmPasswordReset"]
        assert (done["ok"], done["errors"]) == (True, [])
        # LOGIN_ON_CONFIRM: the answer signs the user in.
        assert done["token"] and done["refreshToken"]

        used = run(session, VALIDATE, token=token)["validateResetToken"]
        assert used["valid"] is False
        assert error_codes(used) == {"INVALID_TOKEN"}

        signed_in = run(session, SIGN_IN, username=account["username"], password=NEW_PASSWORD)
        assert signed_in["tokenAuth"]["token"]
        with pytest.raises(TransportQueryError, match="valid credentials"):
            run(session, SIGN_IN, username=account["username"], password=old_password)
        with pytest.raises(TransportQueryError, match="Invalid refresh token"):
            run(session, REFRESH, refreshToken=before_refresh)

        revoked = run(session, REVOKE, refreshToken=signed_in["tokenAuth"]["refreshToken"])
        assert isinstance(revoked["revokeToken"]["revoked"], int)

    with api(example_server, jwt=done["token"]) as session:
        me = run(session, ME)
        assert me == {"me": {"username": account["username"], "email": account["email"]}}

    # The access token from before the reset is bound to the old password (the example uses
    # graphql_passwordreset.contrib.graphql_jwt): refused, though it has not expired.
    with (
        api(example_server, jwt=access_before) as session,
        pytest.raises(TransportQueryError, match="Invalid token"),
    ):
        run(session, ME)


RELAY_REQUEST = f"""mutation Request($input: RequestPasswordResetInput!) {{
  requestPasswordReset(input: $input) {{ ok {ERRORS} clientMutationId }}
}}"""
RELAY_CONFIRM = f"""mutation Confirm($input: ConfirmPasswordResetInput!) {{
  confirmPasswordReset(input: $input) {{ ok {ERRORS} token refreshToken clientMutationId }}
}}"""
RELAY_SIGN_IN = """mutation SignIn($input: ObtainJSONWebTokenInput!) {
  tokenAuth(input: $input) { token refreshToken clientMutationId }
}"""


def test_reset_with_the_gql_client_on_the_relay_schema(example_server: ExampleServer) -> None:
    account = example_server.create_account()
    with api(example_server, "/graphql-relay") as session:
        requested = run(
            session, RELAY_REQUEST, input={"email": account["email"], "clientMutationId": "r1"}
        )
        assert requested == {
            "requestPasswordReset": {"ok": True, "errors": [], "clientMutationId": "r1"}
        }
        token = token_from(example_server.mailbox.expect(account["email"]))
        assert run(session, VALIDATE, token=token)["validateResetToken"]["valid"] is True

        weak = run(
            session,
            RELAY_CONFIRM,
            input={"token": token, "password": account["username"], "clientMutationId": "c1"},
        )["confirmPasswordReset"]
        assert weak["ok"] is False
        assert "PASSWORD_TOO_SIMILAR" in error_codes(weak)
        assert weak["clientMutationId"] == "c1"

        done = run(
            session,
            RELAY_CONFIRM,
            input={"token": token, "password": NEW_PASSWORD, "clientMutationId": "c2"},
        )["confirmPasswordReset"]
        assert (done["ok"], done["errors"], done["clientMutationId"]) == (True, [], "c2")
        assert done["token"]

        signed_in = run(
            session,
            RELAY_SIGN_IN,
            input={
                "username": account["username"],
                "password": NEW_PASSWORD,
                "clientMutationId": "s1",
            },
        )["tokenAuth"]
        assert signed_in["token"] and signed_in["clientMutationId"] == "s1"
        with pytest.raises(TransportQueryError, match="valid credentials"):
            run(
                session,
                RELAY_SIGN_IN,
                input={"username": account["username"], "password": account["password"]},
            )

    with api(example_server, "/graphql-relay", jwt=done["token"]) as session:
        assert run(session, ME) == {
            "me": {"username": account["username"], "email": account["email"]}
        }


def test_the_live_server_keeps_csrf_for_requests_a_browser_could_forge(
    example_server: ExampleServer,
) -> None:
    body = {"query": 'mutation { requestPasswordReset(email: "x@example.com") { ok } }'}
    url = example_server.url("/graphql")
    # Riding on a session cookie, without the CSRF token: refused.
    with_session = requests.post(url, json=body, cookies={"sessionid": "any"}, timeout=15)
    assert with_session.status_code == 403
    # What an HTML form on another site can send, cookies or not: refused.
    form = requests.post(url, data=body, timeout=15)
    assert form.status_code == 403
