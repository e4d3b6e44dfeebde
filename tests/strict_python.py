"""The interpreter command for subprocesses the suite starts: warnings are errors there too,
as in the suite itself (pyproject.toml, filterwarnings), with the same upstream exception."""

from __future__ import annotations

import sys

# django-graphql-jwt 0.4 calls datetime.utcnow(), deprecated since Python 3.12. Its modules
# only: a warning from anywhere else still fails the run.
UPSTREAM_WARNINGS = [
    f"ignore:datetime.datetime.utcnow() is deprecated:DeprecationWarning:{module}"
    for module in ("graphql_jwt.utils", "graphql_jwt.decorators")
]


def strict_python(*args: str) -> list[str]:
    """``python -W error <args>``, less the upstream warnings above."""
    flags = [flag for warning in UPSTREAM_WARNINGS for flag in ("-W", warning)]
    return [sys.executable, "-W", "error", *flags, *args]
