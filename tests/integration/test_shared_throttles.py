"""Rate limits hold across server processes when they share a cache.

Two real Django servers (``runserver``) share Redis as Django's cache; requests alternate
between them, and the limit is reached after the same number of requests as with one server.
The control: the same two servers on the per-process local-memory cache each count their own
requests, so the limit is only reached after twice as many. That is what makes the Redis cache
the reason the limit is global.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .processes import Service, delete_redis_keys, free_port, python, start, wait_for_port

# The servers read the test database: it must exist, so these tests ask for it.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The servers' limit for each scope (per day, per client address).
LIMIT = 3

CACHE_URL = "redis://127.0.0.1:6379/5"
# A browser's double-submit CSRF pair: the cookie and the header carry the same secret.
CSRF_SECRET = secrets.token_hex(16)

QUERIES = {
    "request_ip": (
        "mutation($email: String!) { requestPasswordReset(email: $email) "
        "{ ok errors { field code } } }"
    ),
    "validate_ip": (
        'query { validateResetToken(token: "not-a-live-token") { valid errors { field code } } }'
    ),
    "confirm_ip": (
        'mutation { confirmPasswordReset(token: "not-a-live-token", password: "Brand-new-42!x") '
        "{ ok errors { field code } } }"
    ),
}
# What each operation answers while the limit is not reached.
UNTHROTTLED = {
    "request_ip": {"ok": True, "errors": []},
    "validate_ip": {"valid": False, "errors": [{"field": "token", "code": "INVALID_TOKEN"}]},
    "confirm_ip": {"ok": False, "errors": [{"field": "token", "code": "INVALID_TOKEN"}]},
}
THROTTLED = [{"field": None, "code": "THROTTLED"}]

# Client addresses (as the trusted proxy reports them): every sequence starts from a fresh one.
_addresses = (f"10.{random.randrange(256)}.{n // 256}.{n % 256}" for n in itertools.count(1))


def post(port: int, scope: str, client: str) -> str:
    """Send the scope's operation to the server on ``port`` as ``client``; "answered" or
    "THROTTLED"."""
    variables = {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com"}
    body = json.dumps({"query": QUERIES[scope], "variables": variables}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Forwarded-For": client,
            "Cookie": f"csrftoken={CSRF_SECRET}",
            "X-CSRFToken": CSRF_SECRET,
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        data: dict[str, Any] = json.load(response)
    assert "errors" not in data, data
    (payload,) = data["data"].values()
    if payload["errors"] == THROTTLED:
        assert payload.get("ok", payload.get("valid")) is False, payload
        return "THROTTLED"
    assert payload == UNTHROTTLED[scope], payload
    return "answered"


def alternate(servers: list[Service], ports: list[int], scope: str, count: int) -> list[str]:
    """``count`` requests from one new client address, alternating between the servers.

    The limits count per day; should the requests straddle midnight (UTC), they ran in two
    windows, and the sequence is run again from another address.
    """
    for _ in range(2):
        day = int(time.time() // 86400)
        client = next(_addresses)
        answers = [post(ports[i % len(ports)], scope, client) for i in range(count)]
        if int(time.time() // 86400) == day:
            return answers
    raise AssertionError("two sequences in a row straddled midnight")


def start_servers(cache: str, prefix: str, logs: Path) -> tuple[list[Service], list[int]]:
    """Two ``runserver`` processes on the test database, with ``cache`` as Django's cache."""
    servers, ports = [], []
    for name in ("a", "b"):
        port = free_port()
        server = start(
            f"runserver {cache}-{name} (port {port})",
            python("-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"),
            logs / f"runserver-{cache}-{name}.log",
            DJANGO_SETTINGS_MODULE="tests.integration.server_settings",
            SERVICES_CACHE=cache,
            SERVICES_CACHE_URL=CACHE_URL,
            SERVICES_CACHE_PREFIX=prefix,
            SERVICES_THROTTLE_LIMIT=str(LIMIT),
        )
        servers.append(server)
        try:
            wait_for_port(server, port, timeout=60)
        except AssertionError:
            for started in servers:
                started.stop()
            raise
        ports.append(port)
    return servers, ports


@pytest.fixture(scope="module")
def cache_prefix() -> Iterator[str]:
    """A key prefix of this run's own in the Redis cache; its keys are deleted afterwards."""
    prefix = f"graphql-passwordreset-throttles-{uuid.uuid4().hex[:12]}"
    yield prefix
    delete_redis_keys(CACHE_URL, f"{prefix}:*")


@pytest.fixture(scope="module")
def redis_servers(
    django_db_setup: None, cache_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Service], list[int]]]:
    servers, ports = start_servers("redis", cache_prefix, tmp_path_factory.mktemp("logs"))
    yield servers, ports
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def locmem_servers(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Service], list[int]]]:
    servers, ports = start_servers("locmem", "unused", tmp_path_factory.mktemp("logs"))
    yield servers, ports
    for server in servers:
        server.stop()


@pytest.mark.parametrize("scope", list(QUERIES))
def test_the_limit_is_global_with_a_shared_cache(
    redis_servers: tuple[list[Service], list[int]], cache_prefix: str, scope: str
) -> None:
    servers, ports = redis_servers
    answers = alternate(servers, ports, scope, 2 * LIMIT)
    # The fourth request is refused although its server has seen only one request before it.
    assert answers == ["answered"] * LIMIT + ["THROTTLED"] * LIMIT
    assert delete_redis_keys(CACHE_URL, f"{cache_prefix}:*graphql_passwordreset:throttle:{scope}:*")


@pytest.mark.parametrize("scope", list(QUERIES))
def test_control_a_per_process_cache_counts_per_process(
    locmem_servers: tuple[list[Service], list[int]], scope: str
) -> None:
    servers, ports = locmem_servers
    answers = alternate(servers, ports, scope, 2 * LIMIT + 2)
    # Each process lets its own LIMIT requests through, then refuses its next one.
    assert answers == ["answered"] * (2 * LIMIT) + ["THROTTLED"] * 2
