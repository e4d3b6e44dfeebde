"""Dispatchers for the delivery tests: one keeps the jobs it is handed, one fails like a broker
that is down."""

from __future__ import annotations

from typing import Any

jobs: list[dict[str, Any]] = []


def record(job: dict[str, Any]) -> None:
    jobs.append(job)


def broken(job: dict[str, Any]) -> None:
    raise ConnectionError("the broker is down")
