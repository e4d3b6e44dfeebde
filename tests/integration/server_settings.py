"""Settings of the Django servers that test_shared_throttles starts: low limits, keyed on the
X-Forwarded-For address (one trusted proxy), so each test gets a fresh allowance from an address
of its own, and a cache chosen by SERVICES_CACHE: ``redis`` (one cache shared by every server
process) or ``locmem`` (each process counts on its own)."""

from __future__ import annotations

import os

from .settings import *  # noqa: F403
from .settings import GRAPHQL_PASSWORDRESET

# Per day, so that a test's few requests practically never straddle two counting windows (the
# test still checks that they did not).
RATE = f"{int(os.environ['SERVICES_THROTTLE_LIMIT'])}/day"

_CACHE = os.environ["SERVICES_CACHE"]
if _CACHE == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("SERVICES_CACHE_URL", "redis://127.0.0.1:6379/5"),
            "KEY_PREFIX": os.environ["SERVICES_CACHE_PREFIX"],
            # The throttles run on every request: a paused Redis must not stall them (redis-py
            # waits for ever by default). Past these bounds the operation fails closed.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif _CACHE == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise RuntimeError(f"SERVICES_CACHE={_CACHE!r}: use redis or locmem")

GRAPHQL_PASSWORDRESET = {
    **GRAPHQL_PASSWORDRESET,
    "RATES": {"request_ip": RATE, "request_address": None, "validate_ip": RATE, "confirm_ip": RATE},
    "TRUSTED_PROXY_COUNT": 1,
}
