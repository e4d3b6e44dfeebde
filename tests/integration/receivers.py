"""Receivers that run in the Celery worker of the service tests, next to the package's mail
receiver: one records what the signal carried, one fails on purpose for marked users."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.utils import translation

# Users whose address ends with this make fail_for_marked_users raise.
FAILING_DOMAIN = "@raise.example"
FAILURE_MESSAGE = "receiver failed on purpose for the service tests"
SIGNALS_FILE = "signals.jsonl"


def record_signal(sender: Any, instance: Any, reset_password_token: Any, **kwargs: Any) -> None:
    """Append the signal's arguments, as a worker sees them, to a JSON-lines file."""
    user = reset_password_token.user
    entry = {
        "pid": os.getpid(),
        "sender": f"{sender.__module__}.{sender.__qualname__}",
        "user_pk": str(user.pk),
        "email": getattr(user, user.get_email_field_name()),
        "has_key": bool(reset_password_token.key),
        "request_is_none": kwargs.get("request", "absent") is None,
        "instance_request_is_none": getattr(instance, "request", "absent") is None,
        "reset_url": kwargs.get("reset_url"),
        "language": translation.get_language(),
    }
    path = Path(os.environ["SERVICES_MAIL_DIR"]) / SIGNALS_FILE
    with path.open("a", encoding="utf-8") as signals:
        signals.write(json.dumps(entry) + "\n")


def fail_for_marked_users(sender: Any, reset_password_token: Any, **kwargs: Any) -> None:
    user = reset_password_token.user
    if str(getattr(user, user.get_email_field_name())).endswith(FAILING_DOMAIN):
        raise RuntimeError(FAILURE_MESSAGE)
