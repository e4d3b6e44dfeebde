"""Celery integration: deliver password reset e-mails from a Celery worker.

Set ``GRAPHQL_PASSWORDRESET["DELIVERY"] = "graphql_passwordreset.contrib.celery.dispatch"``
and run a worker that loads the project's Django settings (and so its signal receivers). The
task is a ``shared_task``: it binds to the project's Celery app, and routes by its name.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from graphql_passwordreset.services import deliver

__all__ = ["TASK_NAME", "deliver_password_reset", "dispatch"]

TASK_NAME = "graphql_passwordreset.deliver_password_reset"


@shared_task(name=TASK_NAME, ignore_result=True)  # type: ignore[untyped-decorator]
def deliver_password_reset(job: dict[str, Any]) -> int:
    """Create the tokens for a dispatched request and send ``reset_password_token_created``."""
    return deliver(job)


def dispatch(job: dict[str, Any]) -> None:
    """The DELIVERY dispatcher: queue the job for a worker."""
    deliver_password_reset.delay(job)
