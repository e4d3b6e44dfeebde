"""Settings for the service tests (``make test-services``): a test database in a file, so that
the server and worker processes the tests start see the rows the tests create, and Celery on
Redis.

Run with ``--ds=tests.integration.settings``. The values the other processes must agree on (the
database file, the Celery queue) come from the environment; this module fills in fresh ones in
the pytest process, and the processes it starts inherit them.
"""

from __future__ import annotations

import os
import tempfile
import uuid

from tests.settings import *  # noqa: F403

# One database file, one queue, one cache prefix per test run: parallel runs never meet.
_RUN = uuid.uuid4().hex[:12]
SERVICES_DB = os.environ.setdefault(
    "SERVICES_DB", os.path.join(tempfile.gettempdir(), f"graphql_passwordreset_services_{_RUN}.db")
)
# NAME for the processes the tests start, TEST NAME for pytest-django, which creates and
# migrates the file at the start of the run and deletes it at the end.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": SERVICES_DB,
        # Several processes write to the file: wait for a lock rather than fail.
        "OPTIONS": {"timeout": 30},
        "TEST": {"NAME": SERVICES_DB},
    }
}

# Celery on Redis, database 4, on a queue of its own (the workers the tests start listen
# only there). SERVICES_BROKER_URL points at RabbitMQ instead (amqp://guest:guest@127.0.0.1//).
CELERY_BROKER_URL = os.environ.setdefault("SERVICES_BROKER_URL", "redis://127.0.0.1:6379/4")
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("SERVICES_QUEUE", f"graphql-passwordreset-{_RUN}")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No remote control: the worker then creates no broker keys beyond its queue's.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# The link in the mail; the tests read the token from it.
GRAPHQL_PASSWORDRESET = {"RESET_URL": "https://app.example.com/reset-password/"}
