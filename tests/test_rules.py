"""The pure rules the operations apply, tested directly: address normalisation and checking,
the client address throttles trust and the one kept for audit, redirect URL rules and the reset
link, rate parsing and the throttle's windows, and the new-password checks. Their behaviour
through GraphQL is tested once per behaviour in test_request.py and its siblings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from graphql_passwordreset import throttling
from graphql_passwordreset.addresses import MAX_ADDRESS_LENGTH, clean_address, normalise
from graphql_passwordreset.client import audit_ip, audit_user_agent, client_ip, throttle_key
from graphql_passwordreset.conf import Rate, parse_rate
from graphql_passwordreset.errors import ErrorCode
from graphql_passwordreset.passwords import MAX_PASSWORD_LENGTH, password_errors
from graphql_passwordreset.reset_urls import MAX_URL_LENGTH, redirect_url_allowed, reset_url

from .conftest import PinnedClock

factory = RequestFactory()


def configure(settings: Any, **keys: Any) -> None:
    settings.GRAPHQL_PASSWORDRESET = {**getattr(settings, "GRAPHQL_PASSWORDRESET", {}), **keys}


# --- addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "compared"),
    [
        ("  Alice@Example.COM ", "alice@example.com"),
        ("ａｌｉｃｅ@example.com", "alice@example.com"),  # fullwidth letters: NFKC
        ("STRASSE@example.com", "strasse@example.com"),
        ("Straße@example.com", "strasse@example.com"),  # casefold, not lower()
    ],
)
def test_normalise_is_nfkc_casefold_and_strip(typed: str, compared: str) -> None:
    assert normalise(typed) == compared


def test_a_dotless_i_is_not_an_i() -> None:
    assert normalise("mıke@example.org") != normalise("mike@example.org")


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "not-an-address", "a@b@example.com", "\ud800@example.com"]
    + ["x" * (MAX_ADDRESS_LENGTH - len("@example.com") + 1) + "@example.com"],
    ids=["none", "empty", "blank", "no-at", "two-ats", "surrogate", "too-long"],
)
def test_clean_address_refuses_what_cannot_be_an_address(value: str | None) -> None:
    assert clean_address(value) is None


@pytest.mark.parametrize(
    "address",
    ["straße@example.com", "josé.garcía@example.com", "用户@例子.广告", "ö@xn--bcher-kva.example"],
)
def test_a_non_ascii_local_part_is_an_address(address: str) -> None:
    assert clean_address(address) == address


@pytest.mark.parametrize(
    "address",
    [
        "straße@",
        "straße@example..com",
        "stra ße@example.com",
        "stra\u202eße@example.com",
        ".straße@example.com",
        "stra..ße@example.com",
        'straße"@example.com',
        "ß" * 65 + "@example.com",
        "bad address@example.com",
    ],
)
def test_a_loose_local_part_still_needs_a_sound_form(address: str) -> None:
    assert clean_address(address) is None


def test_clean_address_keeps_what_it_looks_up_stripped() -> None:
    assert clean_address("  alice@example.com ") == "alice@example.com"
    assert clean_address("ａｌｉｃｅ@example.com") == "ａｌｉｃｅ@example.com"


def test_a_lookup_field_that_is_no_email_field_takes_any_text(settings: Any) -> None:
    configure(settings, LOOKUP_FIELD="username")
    assert clean_address(" not-an-address ") == "not-an-address"


# --- the client ----------------------------------------------------------------------------


def request_from(remote: str = "203.0.113.9", forwarded: str | None = None, **meta: str) -> Any:
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.post("/graphql", REMOTE_ADDR=remote, **meta)


def test_without_trusted_proxies_the_client_is_remote_addr(settings: Any) -> None:
    configure(settings, TRUSTED_PROXY_COUNT=0)
    assert client_ip(request_from(forwarded="198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the forged entry is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "203.0.113.9"),  # shorter than the proxy chain: REMOTE_ADDR
        (1, "", "203.0.113.9"),
        (1, " , ,", "203.0.113.9"),
    ],
)
def test_trusted_proxies_count_from_the_right(
    settings: Any, proxies: int, forwarded: str, client: str
) -> None:
    configure(settings, TRUSTED_PROXY_COUNT=proxies)
    assert client_ip(request_from(forwarded=forwarded)) == client


def test_client_addresses_are_keyed_in_one_spelling(settings: Any) -> None:
    configure(settings, TRUSTED_PROXY_COUNT=0)
    assert client_ip(request_from("2001:DB8:0:0:0:0:0:1")) == "2001:db8::1"
    assert client_ip(request_from("not an address")) == "not an address"


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("198.51.100.7, 10.0.0.1", "198.51.100.7"),  # the first entry, as the original did
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("not an address", None),
        ("", None),
    ],
)
def test_audit_ip_keeps_the_first_claimed_address(settings: Any, header: str, kept: str) -> None:
    configure(settings, IP_ADDRESS_HEADER="HTTP_X_REAL_IP")
    assert audit_ip(request_from(HTTP_X_REAL_IP=header)) == kept


@pytest.mark.parametrize(
    ("remote", "prefix", "key"),
    [
        ("2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", 64, "2001:db8:1:2::/64"),  # same /64, same client
        ("2001:db8:1:3::1", 64, "2001:db8:1:3::/64"),
        ("2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::/48"),
        ("2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6/128"),
        ("::ffff:198.51.100.7", 64, "198.51.100.7"),
        ("198.51.100.7", 64, "198.51.100.7"),
        ("not an address", 64, "not an address"),
    ],
)
def test_throttles_key_ipv6_clients_by_their_network(
    settings: Any, remote: str, prefix: int, key: str
) -> None:
    configure(settings, IPV6_PREFIX_LENGTH=prefix)
    assert throttle_key(request_from(remote)) == key


def test_audit_user_agent_drops_nul_and_is_bounded() -> None:
    agent = audit_user_agent(request_from(HTTP_USER_AGENT="Browser\x00/1.0" + "x" * 1000))
    assert agent.startswith("Browser/1.0") and len(agent) == 512


# --- redirect URLs and the reset link ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://app.example.com/reset", True),
        ("https://APP.example.com/reset?next=1", True),
        ("https://app.example.com:443/reset", True),  # the scheme's own port, spelled out
        ("https://app.example.com:8443/reset", False),  # no port listed: the default one only
        ("https://app.example.com:80/reset", False),
        ("http://app.example.com/reset", False),  # https only outside DEBUG
        ("https://evil.example.org/reset", False),
        ("https://user@app.example.com/reset", False),
        ("https://app.example.com@evil.example.org/", False),
        ("https://app.example.com\\@evil.example.org/", False),
        ("https://app.example.com/re set", False),
        ("javascript:alert(1)", False),
        ("//app.example.com/reset", False),
        ("/reset", False),
        ("https://[::1/", False),
        ("https://app.example.com/" + "x" * MAX_URL_LENGTH, False),
        ("https://app.example.com/\u202ereset", False),  # right-to-left override
        ("https://app.example.com/re\u200bset", False),  # zero-width space
        ("https://app.example.com/\u2066x\u2069", False),  # bidi isolates
        ("https://app.example.com/re\u00a0set", False),  # no-break space
        ("https://app.example.com/\u2028", False),  # line separator
        ("https://app.example.com/\x7f", False),
        ("https://app.example.com/caf\u00e9", True),  # letters of any script are fine
    ],
)
def test_redirect_url_rules(settings: Any, url: str, allowed: bool) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=["app.example.com"])
    settings.DEBUG = False
    assert redirect_url_allowed(url) is allowed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://app.example.com:8443/reset", True),
        ("https://app.example.com:8444/reset", False),
        ("https://app.example.com/reset", False),  # only the listed port
        ("https://other.example.com:8443/reset", False),
    ],
)
def test_an_entry_with_a_port_allows_that_port(settings: Any, url: str, allowed: bool) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=["app.example.com:8443"])
    settings.DEBUG = False
    assert redirect_url_allowed(url) is allowed


def test_http_redirect_urls_in_debug_only(settings: Any) -> None:
    configure(settings, ALLOWED_REDIRECT_HOSTS=["localhost:3000"])
    settings.DEBUG = True
    assert redirect_url_allowed("http://localhost:3000/reset")
    settings.DEBUG = False
    assert not redirect_url_allowed("http://localhost:3000/reset")


@pytest.mark.parametrize(
    ("base", "link"),
    [
        (None, None),
        ("", None),
        ("https://app.example.com/reset", "https://app.example.com/reset?token=K3y"),
        ("https://app.example.com/r?a=1&token=old", "https://app.example.com/r?a=1&token=K3y"),
        ("https://app.example.com/r?a=&b=2#top", "https://app.example.com/r?a=&b=2&token=K3y#top"),
    ],
)
def test_reset_url_puts_the_token_in_the_query(base: str | None, link: str | None) -> None:
    assert reset_url(base, "K3y") == link


# --- rates and the throttle's windows ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5/hour", Rate(5, 3600)),
        (" 1 / second ", Rate(1, 1)),
        ("20/minute", Rate(20, 60)),
        ("3/day", Rate(3, 86400)),
    ],
)
def test_parse_rate(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["0/hour", "5/week", "5 per hour", "-1/hour", "", None, 5])
def test_parse_rate_refuses_anything_else(text: Any) -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(text)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> PinnedClock:
    pinned = PinnedClock()
    monkeypatch.setattr(throttling, "time", pinned)
    return pinned


def test_a_rate_allows_its_count_then_throttles(settings: Any, clock: PinnedClock) -> None:
    configure(settings, RATES={"validate_ip": "3/minute"})
    assert [throttling.throttled("validate_ip", "10.0.0.1") for _ in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    # another client starts afresh, and so does this one once a period and a part have passed
    assert throttling.throttled("validate_ip", "10.0.0.2") is False
    clock.now += 60
    assert throttling.throttled("validate_ip", "10.0.0.1") is True
    clock.now += 15
    assert throttling.throttled("validate_ip", "10.0.0.1") is False


def test_a_rate_holds_in_any_window_not_per_clock_window(settings: Any, clock: PinnedClock) -> None:
    """3/minute: three uses late in one minute and none allowed early in the next. The minute
    is cut into four 15-second parts: the allowance returns once the uses' part has left the
    current part and the four before it."""
    configure(settings, RATES={"validate_ip": "3/minute"})
    start = clock.now = 60 * 1_000_000 + 50  # 50 s into a clock minute (its fourth part)
    assert [throttling.throttled("validate_ip", "10.0.0.1") for _ in range(3)] == [False] * 3
    clock.now = start + 15  # 5 s into the next clock minute: a fixed window would start afresh
    assert throttling.throttled("validate_ip", "10.0.0.1") is True
    clock.now = start + 59  # a minute after the uses, less a second
    assert throttling.throttled("validate_ip", "10.0.0.1") is True
    clock.now = start + 70  # the uses' part has left the window: a full allowance again
    assert [throttling.throttled("validate_ip", "10.0.0.1") for _ in range(4)] == [
        False,
        False,
        False,
        True,
    ]


def test_uses_spread_out_never_exceed_the_rate_in_any_window(
    settings: Any, clock: PinnedClock
) -> None:
    """A client trying every 7 seconds for five minutes against 5/minute: every window of a
    minute holds at most five allowed uses."""
    configure(settings, RATES={"validate_ip": "5/minute"})
    allowed = []
    start = clock.now
    while clock.now < start + 300:
        if not throttling.throttled("validate_ip", "10.0.0.1"):
            allowed.append(clock.now)
        clock.now += 7
    assert len(allowed) >= 15  # it does let uses through as the window moves on
    for first in allowed:
        assert len([t for t in allowed if first <= t < first + 60]) <= 5


def test_identities_are_counted_normalised(settings: Any, clock: PinnedClock) -> None:
    configure(settings, RATES={"request_address": "1/hour"})
    assert throttling.throttled("request_address", "Alice@Example.com") is False
    assert throttling.throttled("request_address", " alice@example.com") is True


def test_scopes_count_apart_and_none_turns_a_limit_off(settings: Any, clock: PinnedClock) -> None:
    configure(settings, RATES={"validate_ip": "1/hour", "confirm_ip": None})
    assert throttling.throttled("validate_ip", "10.0.0.1") is False
    assert throttling.throttled("request_ip", "10.0.0.1") is False
    assert not any(throttling.throttled("confirm_ip", "10.0.0.1") for _ in range(100))


# --- new passwords -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("", [ErrorCode.PASSWORD_TOO_SHORT]),
        ("x" * (MAX_PASSWORD_LENGTH + 1), [ErrorCode.PASSWORD_INVALID]),
        ("\ud800-Surrogate-42", [ErrorCode.PASSWORD_INVALID]),
        ("Nul\x00-Password-42", [ErrorCode.PASSWORD_INVALID]),
        ("12345678901", [ErrorCode.PASSWORD_TOO_COMMON, ErrorCode.PASSWORD_ENTIRELY_NUMERIC]),
        ("Sh0rt!", [ErrorCode.PASSWORD_TOO_SHORT]),
        ("Blue-Kettle-Morning-42", []),
    ],
)
def test_password_errors(password: str, codes: list[ErrorCode]) -> None:
    assert [error.code for error in password_errors(password, None)] == codes
    assert all(error.field == "password" for error in password_errors(password, None))
