"""The PostgreSQL server the benchmark and the load run use: libpq's PGHOST, PGPORT and PGUSER,
by default the superuser of a server on this machine. Read when called, not on import."""

from __future__ import annotations

import os


def server() -> dict[str, str]:
    """Where the server is and whom to log in as, in psycopg.connect()'s keywords."""
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "postgres"),
    }


def django_database(name: str) -> dict[str, str]:
    """A DATABASES entry for the database ``name`` on that server."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        **{keyword.upper(): value for keyword, value in server().items()},
        "NAME": name,
    }
