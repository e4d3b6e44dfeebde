"""Celery integration: deliver password reset e-mails from a Celery worker.

Set ``GRAPHQL_PASSWORDRESET["DELIVERY"] = "graphql_passwordreset.contrib.celery.dispatch"``
and run a worker that loads the project's Django settings (and so its signal receivers). The
task is a ``shared_task``: it binds to the project's Celery app, and routes by its name.

The dispatcher publishes in the request, so it is bounded in time: a broker that stops answering
(paused, or gone without closing the connection) costs the request about a second, and the job
is then logged as lost (``graphql_passwordreset.delivery.dispatch``), instead of the request
waiting for ever. Celery's defaults wait for ever on Redis (no socket timeout) and retry a
publish three times.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from kombu import pools

from graphql_passwordreset.services import deliver

__all__ = [
    "BROKER_TIMEOUT",
    "BROKER_TRANSPORT_OPTIONS",
    "PUBLISH_RETRY_POLICY",
    "TASK_NAME",
    "deliver_password_reset",
    "dispatch",
]

TASK_NAME = "graphql_passwordreset.deliver_password_reset"

# Seconds each blocking broker operation may take: connecting, a command and its reply.
BROKER_TIMEOUT = 0.5

# The publishing connection's defaults; the project's broker_transport_options win over them.
BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    # Redis (kombu's redis transport): connecting, and every command.
    "socket_connect_timeout": BROKER_TIMEOUT,
    "socket_timeout": BROKER_TIMEOUT,
    # RabbitMQ (py-amqp): reads and writes once connected (connecting: connect_timeout).
    "read_timeout": BROKER_TIMEOUT,
    "write_timeout": BROKER_TIMEOUT,
    # Connecting: one more attempt, at once.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}

# One more attempt, at once, when a publish fails (a pooled connection the broker has since
# closed); Celery's default policy makes three, 0.2 s apart.
PUBLISH_RETRY_POLICY: dict[str, Any] = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}


@shared_task(name=TASK_NAME, ignore_result=True)  # type: ignore[untyped-decorator]
def deliver_password_reset(job: dict[str, Any]) -> int:
    """Create the tokens for a dispatched request and send ``reset_password_token_created``."""
    return deliver(job)


def dispatch(job: dict[str, Any]) -> None:
    """The DELIVERY dispatcher: queue the job for a worker, within a bounded time.

    Raises when the job could not be published; ``delivery.dispatch`` logs it as lost.
    """
    app = deliver_password_reset.app
    connection = app.connection_for_write(
        connect_timeout=BROKER_TIMEOUT,
        transport_options={**BROKER_TRANSPORT_OPTIONS, **app.conf.broker_transport_options},
    )
    # kombu's process-wide pools, keyed by the connection's settings, as Celery's own producer
    # pool is: a request reuses a connection instead of opening one.
    with pools.producers[connection].acquire(block=True, timeout=BROKER_TIMEOUT) as producer:
        deliver_password_reset.apply_async(
            (job,), producer=producer, retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )
