"""The logging of the servers bench/fuzz.py and bench/load.py start (tests.settings, which
their settings build on, turns logging configuration off): warnings and errors go to the
server's output, where the runs look for them."""

from __future__ import annotations

from typing import Any


def warnings_to_stderr(loggers: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """A LOGGING that prints every warning and error, with ``loggers`` set apart if given."""
    logging: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
    if loggers is not None:
        logging["loggers"] = loggers
    return logging
