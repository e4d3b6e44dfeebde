"""Rate limits (the RATES setting), counted in Django's default cache.

"N per period" means at most N uses in any window of that length, not per clock window: each
limit is N slots in the cache, and a use holds one slot for exactly one period. A use looks at
all slots at once (one ``get_many``), takes a free one with ``add`` (atomic on Redis and
Memcached: of several racing processes only one gets a slot), and is throttled when every slot
is held. So concurrent server processes share one allowance, and no window ever holds more
than N uses; the cache's whole-second expiry can let one more through at the edge.
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
    """Count one use of ``scope`` by ``ident``; True when that use is over the limit (a
    throttled use takes no slot)."""
    rate_value = passwordreset_settings.RATES.get(scope)
    if rate_value is None:
        return False
    rate = parse_rate(rate_value)
    digest = hashlib.sha256(normalise(ident).encode("utf-8", "surrogatepass")).hexdigest()
    slots = [
        f"{_KEY_PREFIX}:{scope}:{rate.count}/{rate.period}:{digest}:{n}" for n in range(rate.count)
    ]
    now = time.time()
    held = cache.get_many(slots)
    for slot in slots:
        taken_at = held.get(slot)
        if taken_at is not None and taken_at > now - rate.period:
            continue
        if taken_at is not None:
            cache.delete(slot)  # past its period by our clock, not yet by the cache's
        if cache.add(slot, now, timeout=rate.period + 1):
            return False
    return True
