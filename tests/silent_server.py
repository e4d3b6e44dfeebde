"""A TCP server on 127.0.0.1 that accepts connections and never answers: an SMTP server or a
broker that is paused (stopped, not down), as a fault run found them. Each connection is closed
after ``hold`` seconds, so a client that has no timeout of its own still ends, and a test of
a missing bound fails instead of hanging."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def silent_server(hold: float = 5.0) -> Iterator[tuple[str, int]]:
    """A silent server on (host, port), for the duration of the block."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        held: list[tuple[float, socket.socket]] = []
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append((time.monotonic() + hold, conn))
            except TimeoutError:
                pass
            now = time.monotonic()
            for deadline, conn in [item for item in held if item[0] <= now]:
                conn.close()
                held.remove((deadline, conn))
        for _, conn in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[:2]
    finally:
        stop.set()
        thread.join()
        listener.close()
