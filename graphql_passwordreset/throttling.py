"""Rate limits (the RATES setting), counted in Django's default cache.

Each limit is a fixed-window counter: ``cache.add`` opens the window and ``cache.incr`` counts,
both atomic on Redis and Memcached, so concurrent server processes share one allowance.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from .addresses import normalise
from .conf import parse_rate, passwordreset_settings

__all__ = ["throttled"]

_KEY_PREFIX = "graphql_passwordreset:throttle"


def throttled(scope: str, ident: str) -> bool:
    """Count one use of ``scope`` by ``ident``; True when that use is over the limit."""
    rate_value = passwordreset_settings.RATES.get(scope)
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
