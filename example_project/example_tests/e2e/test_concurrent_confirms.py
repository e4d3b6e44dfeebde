"""One reset link used by many requests at once, against the live example server (runserver
serves each request in its own thread, on SQLite): exactly one sets the password, every other
one is told INVALID_TOKEN, the answer for a used link, never a generic error.

The example's database settings make this hold: SQLite transactions that begin IMMEDIATE take
the write lock first, so the confirms run one after another (example_project/settings.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import ExampleServer, post_graphql

pytestmark = pytest.mark.e2e

CONFIRMS = 12
CONFIRM = """mutation Confirm($token: String!, $password: String!) {
  confirmPasswordReset(token: $token, password: $password) { ok errors { field code } }
}"""
REQUEST = """mutation Request($email: String!) {
  requestPasswordReset(email: $email) { ok }
}"""


def test_concurrent_confirms_of_one_token_yield_one_ok_and_invalid_token(
    example_server: ExampleServer,
) -> None:
    account = example_server.create_account()
    requested = post_graphql(example_server, REQUEST, {"email": account["email"]})
    assert requested == {"data": {"requestPasswordReset": {"ok": True}}}
    link = example_server.mailbox.expect(account["email"]).reset_link
    [token] = parse_qs(urlsplit(link).query)["token"]

    start = threading.Barrier(CONFIRMS)

    def confirm(number: int) -> Any:
        start.wait(timeout=30)  # all threads send at once
        variables = {"token": token, "password": f"Blue-Kettle-Morning-{number}"}
        return post_graphql(example_server, CONFIRM, variables)

    with ThreadPoolExecutor(CONFIRMS) as pool:
        answers = list(pool.map(confirm, range(CONFIRMS)))

    # No top-level GraphQL error ("database is locked" would be one): every answer is data.
    assert all(set(answer) == {"data"} for answer in answers), answers
    payloads = [answer["data"]["confirmPasswordReset"] for answer in answers]
    succeeded = [payload for payload in payloads if payload["ok"]]
    refused = [payload for payload in payloads if not payload["ok"]]
    assert succeeded == [{"ok": True, "errors": []}], payloads
    assert len(refused) == CONFIRMS - 1
    for payload in refused:
        assert payload["errors"] == [{"field": "token", "code": "INVALID_TOKEN"}], payloads
