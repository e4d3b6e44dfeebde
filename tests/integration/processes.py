"""Start, watch and stop real processes (Django servers, gunicorn, Celery workers), each
logging to a file that failures quote. The service tests use it, and so do the bench scripts
that serve the test project (bench/fuzz.py, bench/load.py, bench/timing_leak.py)."""

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
# The ports the service tests may listen on (other suites use other ranges on the same machine).
PORTS = range(8300, 8400)
# gunicorn's own graceful shutdown takes up to 30 s; after that a process is killed.
STOP_SECONDS = 30
# Log lines that report an error: Django's ERROR and CRITICAL records (it logs a 4xx as a
# WARNING), gunicorn's "[ERROR]" and "[CRITICAL] WORKER TIMEOUT", and any traceback.
ERROR_PREFIXES = ("ERROR", "CRITICAL")
ERROR_MARKERS = ("Traceback", "[ERROR]", "WORKER TIMEOUT")


class ServiceFailed(AssertionError):
    """A process exited, or did not get where it should in time; the message ends with the
    last lines of its log. An AssertionError, so a test fails with it."""


@dataclass
class Service:
    """A started process, with everything it prints in ``log``."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def errors(self) -> list[str]:
        """The lines of the log that report an error."""
        return [
            line
            for line in self.output().splitlines()
            if line.startswith(ERROR_PREFIXES) or any(marker in line for marker in ERROR_MARKERS)
        ]

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited in STOP_SECONDS; never leaves it running."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)


def environment(**env: str) -> dict[str, str]:
    """This process's environment plus ``env``, with the repository importable and Python's
    output unbuffered (so a log shows what happened up to a crash)."""
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **env}


def start(name: str, argv: list[str], log: Path, **env: str) -> Service:
    """Run ``argv`` from the repository root, with the environment plus ``env``."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv, cwd=REPO, env=environment(**env), stdout=output, stderr=subprocess.STDOUT
        )
    return Service(name, process, log)


def python(*args: str) -> list[str]:
    """A command line for this virtualenv's Python."""
    return [sys.executable, *args]


def wait_for(service: Service, condition: Callable[[], bool], what: str, timeout: float) -> None:
    """Poll ``condition`` until it holds; raise ServiceFailed if it does not in time or the
    process exits first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if service.process.poll() is not None:
            raise ServiceFailed(
                f"{service.name} exited ({service.process.returncode}) before {what}:\n"
                f"{service.tail()}"
            )
        if time.monotonic() > deadline:
            raise ServiceFailed(f"{service.name}: no {what} within {timeout} s:\n{service.tail()}")
        time.sleep(0.05)


def wait_for_port(service: Service, port: int, timeout: float) -> None:
    """Until the service listens on 127.0.0.1:``port``."""
    wait_for(service, lambda: port_open(port), f"open port {port}", timeout)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port(ports: range = PORTS) -> int:
    """A port of ``ports`` that nothing listens on right now."""
    candidates = list(ports)
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServiceFailed(f"no free port in {ports.start}-{ports.stop - 1}")


def delete_redis_keys(url: str, pattern: str) -> int:
    """Delete the keys matching ``pattern`` (a SCAN pattern) from the Redis database at
    ``url``: clean up only what a run wrote, never the whole database."""
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
