"""The Celery app and the slow receiver of the timing measurement (bench/timing_leak.py).

The receiver stands in for a mail server: it takes 50 ms (TIMING_RECEIVER_MS). The server
imports this module (so that the dispatcher publishes to this broker and queue, and so that in
"request" mode the receiver runs in the request); the worker runs it
(``celery -A bench.timing_celery worker``).
"""

from __future__ import annotations

import os
import time
from typing import Any

from celery import Celery

from graphql_passwordreset.signals import reset_password_token_created

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.timing_settings")

RECEIVER_SECONDS = float(os.environ.get("TIMING_RECEIVER_MS", "50")) / 1000

app = Celery("graphql_passwordreset_timing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.imports = ("graphql_passwordreset.contrib.celery",)


def slow_delivery(sender: Any, reset_password_token: Any, **kwargs: Any) -> None:
    """Take as long as a mail server might, then note whom the token was for, so the run can
    check that exactly the eligible user's requests were delivered."""
    time.sleep(RECEIVER_SECONDS)
    user = reset_password_token.user
    with open(os.environ["TIMING_DELIVERIES"], "a", encoding="utf-8") as deliveries:
        deliveries.write(f"{getattr(user, user.get_email_field_name())}\n")


reset_password_token_created.connect(slow_delivery, dispatch_uid="timing.slow_delivery")
