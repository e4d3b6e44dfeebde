"""Start, watch and stop the real processes the service tests talk to (a Celery worker, Django
servers), each logging to a file that failures quote."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis
from kombu import Connection

REPO = Path(__file__).resolve().parents[2]
# The ports these tests may listen on (other suites use other ranges on the same machine).
PORTS = range(8300, 8400)


@dataclass
class Service:
    """A process started by a test, with everything it prints in ``log``."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited after 15 s; never leaves it running."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start(name: str, argv: list[str], log: Path, **env: str) -> Service:
    """Run ``argv`` from the repository root, with the environment plus ``env``."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **env}
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    return Service(name, process, log)


def python(*args: str) -> list[str]:
    """A command line for this virtualenv's Python."""
    return [sys.executable, *args]


def wait_for(service: Service, condition: Callable[[], bool], what: str, timeout: float) -> None:
    """Poll ``condition`` until it holds; fail with the service's log if it does not in time or
    the process exits first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if service.process.poll() is not None:
            raise AssertionError(
                f"{service.name} exited ({service.process.returncode}) before {what}:\n"
                f"{service.tail()}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"{service.name}: no {what} within {timeout} s:\n{service.tail()}")
        time.sleep(0.05)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A port of PORTS that nothing listens on right now."""
    candidates = list(PORTS)
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {PORTS}")


def delete_redis_keys(url: str, pattern: str) -> int:
    """Delete the keys matching ``pattern`` (a SCAN pattern) from the Redis database at
    ``url``; the tests clean up only what they wrote, never the whole database."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=pattern, count=1000))
        return int(client.delete(*keys)) if keys else 0
    finally:
        client.close()


def delete_queue(broker_url: str, queue: str) -> None:
    """Delete a Celery queue and what the broker keeps for it: on Redis every key named after
    the queue (kombu leaves its binding sets behind), on RabbitMQ the queue and its exchange."""
    if broker_url.startswith("redis://"):
        delete_redis_keys(broker_url, f"*{queue}*")
        return
    with Connection(broker_url) as connection:
        channel = connection.default_channel
        channel.queue_delete(queue)
        channel.exchange_delete(queue)
