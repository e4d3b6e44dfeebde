"""Settings of the server that bench/fuzz.py fuzzes: the test suite's project (/graphql and
/graphql-relay), served for real, on a SQLite file, with every warning and error logged to the
server's output so the fuzz run can check it for tracebacks.

Environment (bench/fuzz.py sets it):
  FUZZ_DB_PATH  the SQLite file
  FUZZ_RATES    open (limits never reached in a run, still counted) or tight (3 a minute, so
                most answers are THROTTLED)
"""

from __future__ import annotations

import os

from bench.server_logging import warnings_to_stderr
from tests.settings import *  # noqa: F403

DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["FUZZ_DB_PATH"],
        # Concurrent requests write too: a transaction that reads first and then writes cannot
        # wait for SQLite's lock ("database is locked"); IMMEDIATE takes the lock up front.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
    }
}
# One gunicorn worker process: its local-memory cache is the only throttle counter.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_RATES = os.environ.get("FUZZ_RATES", "open")
if _RATES == "open":
    _RATE = "1000000/hour"
elif _RATES == "tight":
    _RATE = "3/minute"
else:
    raise RuntimeError(f"FUZZ_RATES={_RATES!r}: use open or tight")

GRAPHQL_PASSWORDRESET = {
    "RATES": dict.fromkeys(["request_ip", "request_address", "validate_ip", "confirm_ip"], _RATE),
    "ALLOWED_REDIRECT_HOSTS": ["app.example.com"],
    "RESET_URL": "https://app.example.com/reset-password/",
}

# tests.settings turns logging configuration off; a server should log what goes wrong.
LOGGING_CONFIG = "logging.config.dictConfig"
LOGGING = warnings_to_stderr()
