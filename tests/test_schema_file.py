"""schema.graphql, at the repository's root, is the example project's live schema.

Front-end teams generate typed clients from that file, so it must not drift from what the
server answers. It is the schema served at the example's /graphql: the password reset
operations next to django-graphql-jwt's tokenAuth, verifyToken, refreshToken and revokeToken
and the ``me`` query. ``make schema`` writes it, with the command this test runs.
"""

from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path

from .strict_python import strict_python

REPO = Path(__file__).resolve().parent.parent
SCHEMA_FILE = REPO / "schema.graphql"


def live_schema() -> str:
    """The SDL that ``make schema`` writes: graphene-django's graphql_schema command, run with
    the example's settings in a subprocess (this process runs the suite's settings)."""
    result = subprocess.run(
        strict_python("manage.py", "graphql_schema", "--out=-.graphql"),
        cwd=REPO / "example_project",
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "example_project.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_schema_file_matches_the_live_schema() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    live = live_schema()
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            live.splitlines(keepends=True),
            "schema.graphql (committed)",
            "live schema",
        )
    )
    assert committed == live, f"schema.graphql is out of date; run `make schema`.\n{diff}"


def test_schema_file_has_the_operations_clients_need() -> None:
    """The file is the example's full schema, not just the package's part of it."""
    sdl = SCHEMA_FILE.read_text(encoding="utf-8")
    for field in (
        "requestPasswordReset(",
        "confirmPasswordReset(",
        "validateResetToken(",
        "tokenAuth(",
        "refreshToken(",
        "revokeToken(",
        "me: UserType",
    ):
        assert field in sdl, field
