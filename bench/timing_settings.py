"""Settings of the server (and worker) that bench/timing_leak.py measures: the test settings,
a SQLite file, no rate limits (every request must be answered in full), and the delivery mode
from TIMING_DELIVERY: "request" (the default) or a dispatcher's dotted path.

Environment (timing_leak.py sets it): TIMING_DB, TIMING_DELIVERY, TIMING_QUEUE,
TIMING_DELIVERIES (the file the slow receiver appends to), TIMING_BROKER_URL.
"""

from __future__ import annotations

import os

from graphql_passwordreset.conf import DEFAULT_RATES
from tests.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["TIMING_DB"],
        # The worker and the server share the file: wait for a lock rather than fail.
        "OPTIONS": {"timeout": 30},
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

GRAPHQL_PASSWORDRESET = {
    "RATES": dict.fromkeys(DEFAULT_RATES),
    "DELIVERY": os.environ.get("TIMING_DELIVERY", "request"),
    "RESET_URL": "https://app.example.com/reset-password/",
}

# Only used in dispatcher mode (the Celery integration): Redis database 4, a queue per run.
CELERY_BROKER_URL = os.environ.get("TIMING_BROKER_URL", "redis://127.0.0.1:6379/4")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TIMING_QUEUE", "graphql-passwordreset-timing")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
