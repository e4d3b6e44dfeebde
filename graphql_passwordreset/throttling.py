"""Rate limits (the RATES setting), counted in Django's default cache.

Each limit is a fixed-window counter: ``cache.add`` opens the window and ``cache.incr`` counts,
both atomic on Redis and Memcached, so concurrent server processes share one allowance.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from .conf import passwordreset_settings
from .text import normalise

__all__ = ["Rate", "client_ip", "parse_rate", "throttled"]

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_KEY_PREFIX = "graphql_passwordreset:throttle"


@dataclass(frozen=True)
class Rate:
    count: int
    period: int  # seconds


def parse_rate(value: str) -> Rate:
    """Parse ``"N/second"``, ``"N/minute"``, ``"N/hour"`` or ``"N/day"`` with N >= 1."""
    match = _RATE_RE.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) < 1:
        raise ValueError(
            f"{value!r} is not a rate: use 'N/second', 'N/minute', 'N/hour' or 'N/day', N >= 1."
        )
    return Rate(count=int(match.group(1)), period=PERIODS[match.group(2)])


def client_ip(request: HttpRequest) -> str:
    """The client address as this server can vouch for it, never a value the client forges.

    With TRUSTED_PROXY_COUNT = n, the n-th entry from the right of X-Forwarded-For is the one
    the outermost trusted proxy saw; with fewer entries than that, REMOTE_ADDR.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = passwordreset_settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    address = normalise(address)
    try:
        return ipaddress.ip_address(address).compressed
    except ValueError:
        return address


def throttled(scope: str, ident: str) -> bool:
    """Count one use of ``scope`` by ``ident``; True when that use is over the limit."""
    rate_value = passwordreset_settings.rates.get(scope)
    if rate_value is None:
        return False
    rate = parse_rate(rate_value)
    window = int(time.time() // rate.period)
    digest = hashlib.sha256(normalise(ident).encode("utf-8", "surrogatepass")).hexdigest()
    key = f"{_KEY_PREFIX}:{scope}:{rate.count}/{rate.period}:{window}:{digest}"
    # Count first: after the window's first use that is the only cache round trip. A new
    # window's counter is created with add(), which only one of several racing processes
    # wins; the others count on it. It expires a little after its window.
    try:
        used = cache.incr(key)
    except ValueError:
        used = 1 if cache.add(key, 1, timeout=rate.period + 1) else cache.incr(key)
    return used > rate.count
