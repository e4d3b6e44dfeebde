"""What the second attack run broke, each through GraphQL over HTTP (plain and Relay): clients
of one IPv6 site share one allowance, a rate holds across a clock window's edge, redirect hosts
allow the listed port only, invisible characters in a redirectUrl are refused, and a password
longer than the configured hasher takes is PASSWORD_INVALID with the limit, not an error.

The refresh-token race is in test_refresh_race.py; the rules themselves in test_rules.py."""

from __future__ import annotations

from typing import Any

import pytest

from graphql_passwordreset.testing import make_reset_token

from .conftest import GraphQLClient, PinnedClock, email_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> PinnedClock:
    pinned = PinnedClock()
    monkeypatch.setattr("graphql_passwordreset.throttling.time", pinned)
    return pinned


@pytest.fixture
def configure(settings: Any) -> Any:
    def apply(**keys: Any) -> None:
        settings.GRAPHQL_PASSWORDRESET = {
            **getattr(settings, "GRAPHQL_PASSWORDRESET", {}),
            **keys,
        }

    return apply


def codes(result: dict[str, Any]) -> list[str]:
    return [error["code"] for error in result["errors"]]


def test_addresses_of_one_ipv6_site_share_one_allowance(
    gql: GraphQLClient, configure: Any, clock: PinnedClock
) -> None:
    """25 addresses from one /64: the 21st is over request_ip's 20/hour. Another /64 is not."""
    configure(RATES={"request_address": None})
    answers = [
        gql.request_reset(f"n{n}@example.com", REMOTE_ADDR=f"2001:db8:7:7::{n:x}")
        for n in range(1, 26)
    ]
    assert [codes(answer) for answer in answers] == [[]] * 20 + [["THROTTLED"]] * 5
    other_site = gql.request_reset("n0@example.com", REMOTE_ADDR="2001:db8:7:8::1")
    assert other_site["ok"] is True and other_site["errors"] == []


def test_one_address_per_ipv6_client_with_a_prefix_of_128(
    gql: GraphQLClient, configure: Any, clock: PinnedClock
) -> None:
    configure(RATES={"request_address": None}, IPV6_PREFIX_LENGTH=128)
    answers = [
        gql.request_reset(f"n{n}@example.com", REMOTE_ADDR=f"2001:db8:7:7::{n:x}")
        for n in range(1, 26)
    ]
    assert all(answer["ok"] for answer in answers)


def test_a_rate_holds_across_the_edge_of_a_clock_window(
    gql: GraphQLClient, user: Any, configure: Any, clock: PinnedClock, captured: Any
) -> None:
    """ "3/minute" gave 6 mails in 2 s across a window edge; now 3 in any minute."""
    configure(RATES={"request_address": "3/minute"})
    clock.now = 60 * 1_000_000 + 59  # one second before a clock minute ends
    before = [gql.request_reset(email_of(user)) for _ in range(3)]
    clock.now += 2  # the next clock minute
    after = [gql.request_reset(email_of(user)) for _ in range(3)]
    assert [codes(answer) for answer in before + after] == [[]] * 3 + [["THROTTLED"]] * 3
    assert len(captured.calls) == 3


@pytest.mark.parametrize(
    ("hosts", "url", "accepted"),
    [
        (["app.example.com"], "https://app.example.com/reset", True),
        (["app.example.com"], "https://app.example.com:8443/reset", False),
        (["app.example.com:8443"], "https://app.example.com:8443/reset", True),
        (["app.example.com"], "https://app.example.com/\u202ereset", False),
        (["app.example.com"], "https://app.example.com/re\u200bset", False),
    ],
    ids=["default-port", "other-port", "listed-port", "bidi-override", "zero-width"],
)
def test_redirect_urls_keep_to_the_listed_port_and_visible_characters(
    gql: GraphQLClient,
    user: Any,
    configure: Any,
    captured: Any,
    hosts: list[str],
    url: str,
    accepted: bool,
) -> None:
    configure(ALLOWED_REDIRECT_HOSTS=hosts)
    answer = gql.request_reset(email_of(user), url)
    if accepted:
        assert answer["ok"] is True and answer["errors"] == []
        assert captured.calls[0]["reset_url"].startswith(url + "?token=")
    else:
        assert codes(answer) == ["INVALID_REDIRECT_URL"]
        assert captured.calls == []


@pytest.fixture
def bcrypt_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.BCryptPasswordHasher"]


def test_a_password_longer_than_bcrypt_takes_is_password_invalid(
    gql: GraphQLClient, user: Any, bcrypt_hasher: None
) -> None:
    key = make_reset_token(user)
    too_long = "Kettle-" + "é" * 33  # 7 + 66 = 73 bytes, 40 characters
    answer = gql.confirm(key, too_long)
    assert codes(answer) == ["PASSWORD_INVALID"]
    assert "72 bytes" in answer["errors"][0]["message"]
    assert answer["errors"][0]["field"] == "password"
    # the token was not spent, and a password within the limit works
    fitting = "Kettle-" + "é" * 32  # 71 bytes
    assert gql.confirm(key, fitting)["ok"] is True
    user.refresh_from_db()
    assert user.check_password(fitting)
