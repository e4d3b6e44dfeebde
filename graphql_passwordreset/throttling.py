"""Rate limits (the RATES setting), counted in Django's default cache.

"N per period" means at most N uses in any window of that length, not per clock window. The
period is cut into SUB_WINDOWS parts, each with a counter; a use is allowed while the counters
of the current part and the SUB_WINDOWS before it add up to at most N. Any window of one
period lies within those SUB_WINDOWS + 1 parts, so it never holds more than N uses; the price
is that a client who used its whole allowance waits up to a part longer than a period.

A use counts itself first (``incr``, atomic on Redis and Memcached) and then reads the earlier
parts (one ``get_many``); when the sum is over N it takes its count back and is throttled. So
concurrent server processes share one allowance and none of them lets an extra use through.
Two cache round trips a use, whatever N.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from .addresses import normalise
from .conf import parse_rate, passwordreset_settings

__all__ = ["throttled"]

_KEY_PREFIX = "graphql_passwordreset:throttle"


# How many parts a period is cut into: more parts free an allowance sooner after a burst, at
# the cost of reading more counters each use.
SUB_WINDOWS = 4


def throttled(scope: str, ident: str) -> bool:
    """Count one use of ``scope`` by ``ident``; True when that use is over the limit (a
    throttled use is not counted)."""
    rate_value = passwordreset_settings.RATES.get(scope)
    if rate_value is None:
        return False
    rate = parse_rate(rate_value)
    digest = hashlib.sha256(normalise(ident).encode("utf-8", "surrogatepass")).hexdigest()
    prefix = f"{_KEY_PREFIX}:{scope}:{rate.count}/{rate.period}:{digest}"
    part_length = rate.period / SUB_WINDOWS
    current = int(time.time() // part_length)
    key = f"{prefix}:{current}"
    # A part's counter lives as long as a window can reach back to it.
    timeout = int(rate.period + 2 * part_length) + 1
    try:
        used_now = cache.incr(key)
    except ValueError:  # the part's first use; add() lets one of racing processes create it
        used_now = 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)
    earlier = [f"{prefix}:{part}" for part in range(current - SUB_WINDOWS, current)]
    used_before = sum(int(count) for count in cache.get_many(earlier).values())
    if used_before + used_now > rate.count:
        cache.decr(key)
        return True
    return False
