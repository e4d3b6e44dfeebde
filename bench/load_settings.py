"""Settings of the server that bench/load.py puts under load: the test suite's project
(/graphql and /graphql-relay) on PostgreSQL, with Redis as the cache (so the two gunicorn
worker processes share one throttle count), DEBUG off, errors logged to the server's output.

Environment (bench/load.py sets it):
  LOAD_DB_NAME       the PostgreSQL database (created and dropped by bench/load.py)
  LOAD_REDIS_URL     the Redis database (default redis://127.0.0.1:6379/1)
  LOAD_REDIS_PREFIX  the prefix of every Redis key of this run (cache and token lists)
  LOAD_RATES         generous (limits a run never reaches, still counted) or default (the
                     package's own limits, per simulated client address)
  LOAD_HASHER        md5 (default: the package's own cost stays visible) or default (Django's)
"""

from __future__ import annotations

import os

from bench.postgres_server import django_database
from bench.server_logging import warnings_to_stderr
from tests.settings import *  # noqa: F403

DEBUG = False
DATABASES = {
    "default": {
        **django_database(os.environ["LOAD_DB_NAME"]),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/1"),
        "KEY_PREFIX": os.environ["LOAD_REDIS_PREFIX"],
        # As docs/security.md advises: the throttles are on every request's path.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

_RATES = os.environ.get("LOAD_RATES", "generous")
if _RATES == "generous":
    RATES: dict[str, str | None] = dict.fromkeys(
        ["request_ip", "request_address", "validate_ip", "confirm_ip"], "1000000/hour"
    )
elif _RATES == "default":
    RATES = {}  # the package's defaults
else:
    raise RuntimeError(f"LOAD_RATES={_RATES!r}: use generous or default")

GRAPHQL_PASSWORDRESET = {
    "RATES": RATES,
    # bench/load.py plays many clients behind one proxy: each sends its own X-Forwarded-For.
    "TRUSTED_PROXY_COUNT": 1,
    "RESET_URL": "https://app.example.com/reset-password/",
}

_HASHER = os.environ.get("LOAD_HASHER", "md5")
if _HASHER == "default":
    del PASSWORD_HASHERS  # noqa: F821  (Django's default list)
elif _HASHER != "md5":
    raise RuntimeError(f"LOAD_HASHER={_HASHER!r}: use md5 or default")

LOGGING_CONFIG = "logging.config.dictConfig"
# Django logs every 4xx as a warning; the load run counts those itself.
LOGGING = warnings_to_stderr(loggers={"django.request": {"level": "ERROR"}})
