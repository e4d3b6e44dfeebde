"""The benchmark's databases: created fresh for each run, switched between rounds, and the
scale run's filled database (1,000,000 users, a token for each in both packages' tables) kept
as a template that later runs clone instead of filling again.

SQLite databases are files under artifacts/bench/; PostgreSQL databases are named bench_*,
created and dropped here through the server's maintenance database.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", ROOT / "artifacts" / "bench"))
PG_PREFIX = "bench_graphql_passwordreset"
# Bump when the fill changes, so cached templates are rebuilt.
FILL_VERSION = 1
# A template's tokens were created during the day before its fill; they are live for
# TOKEN_EXPIRY_HOURS (30 days in the bench settings), so a template is reused for 28 days.
TEMPLATE_MAX_AGE = timedelta(days=28)


@dataclass(frozen=True)
class Database:
    """One database the benchmark runs on: ``label`` for the report, ``name`` for Django."""

    label: str
    name: str


def engine() -> str:
    return str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]


def use(database: Database) -> None:
    """Point the default connection at ``database`` (closing the current one)."""
    connection.close()
    connection.settings_dict["NAME"] = database.name
    connection.ensure_connection()


def server_version() -> str:
    with connection.cursor() as cursor:
        if engine() == "sqlite3":
            return f"SQLite {sqlite3.sqlite_version}"
        cursor.execute("SELECT version()")
        return str(cursor.fetchone()[0]).split(" on ")[0]


# --- PostgreSQL maintenance --------------------------------------------------------------------


def _pg_admin() -> Any:
    import psycopg

    options = settings.DATABASES["default"]
    return psycopg.connect(
        host=options["HOST"],
        port=options["PORT"],
        user=options["USER"],
        dbname="postgres",
        autocommit=True,
    )


def _pg_names(pattern: str) -> list[str]:
    with _pg_admin() as admin:
        rows = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])
        return [row[0] for row in rows]


def _pg_drop(name: str) -> None:
    assert name.startswith("bench_"), name
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_create(name: str, template: str | None = None) -> None:
    assert name.startswith("bench_"), name
    _pg_drop(name)
    with _pg_admin() as admin:
        clause = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{clause}')


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


# --- fresh databases ---------------------------------------------------------------------------


def fresh(label: str, suffix: str) -> Database:
    """An empty, migrated database for this run (any previous one of that name is dropped)."""
    if engine() == "sqlite3":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = DATA_DIR / f"{suffix}.sqlite3"
        _remove_sqlite(path)
        database = Database(label, str(path))
    else:
        database = Database(label, f"{PG_PREFIX}_{suffix}")
        connection.close()
        _pg_create(database.name)
    use(database)
    call_command("migrate", verbosity=0, interactive=False)
    index_user_lookup()
    return database


USER_INDEX = "bench_auth_user_email_ci"


def index_user_lookup(create: bool = True) -> None:
    """Create (or drop) an index for the case-insensitive e-mail lookup that both packages
    make: Django's User.email has none, so without it every request reads the whole user
    table. A project with many users needs one whichever package it uses."""
    with connection.cursor() as cursor:
        if not create:
            cursor.execute(f"DROP INDEX IF EXISTS {USER_INDEX}")
        elif engine() == "sqlite3":
            # Django looks up iexact with LIKE, which a NOCASE index serves.
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {USER_INDEX} ON auth_user (email COLLATE NOCASE)"
            )
        else:
            # ... and on PostgreSQL with UPPER(email::text) = UPPER(%s).
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {USER_INDEX} ON auth_user (UPPER(email::text))"
            )


# --- the scale fill ----------------------------------------------------------------------------


def _fingerprint(users: int) -> str:
    """Changes with the fill, its size and the migrations of every installed app."""
    leaves = sorted(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    text = repr((FILL_VERSION, users, leaves))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _rows(users: int, filled_at: datetime) -> Iterator[tuple[Any, ...]]:
    """(username, email, created_at, our digest, their key) for each filled user."""
    for i in range(users):
        created = filled_at - timedelta(seconds=(i * 86_399) // users)
        yield (
            f"fill{i}",
            f"fill-{i}@example.org",
            created,
            secrets.token_hex(32),
            secrets.token_hex(16),
        )


USER_COLUMNS = (
    "password, last_login, is_superuser, username, first_name, last_name, email, "
    "is_staff, is_active, date_joined"
)
OUR_COLUMNS = "user_id, key_digest, created_at, ip_address, user_agent, failed_attempts"
REST_COLUMNS = "user_id, key, created_at, ip_address, user_agent"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) bench-fill"


def _fill_sqlite(path: Path, users: int, password: str, filled_at: datetime) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -512000")
        with db:
            db.executemany(
                f"INSERT INTO auth_user ({USER_COLUMNS}) "
                "VALUES (?, NULL, 0, ?, '', '', ?, 0, 1, ?)",
                (
                    (password, name, email, adapt(created))
                    for name, email, created, _digest, _key in _rows(users, filled_at)
                ),
            )
        first_id = db.execute("SELECT id FROM auth_user WHERE username = 'fill0'").fetchone()[0]
        # The rows were inserted in order, so user i has id first_id + i; one pass makes both
        # tables' rows from the same generator.
        with db:
            rows = list(_rows(users, filled_at))
            db.executemany(
                f"INSERT INTO graphql_passwordreset_resetpasswordtoken ({OUR_COLUMNS}) "
                "VALUES (?, ?, ?, '10.1.0.1', ?, 0)",
                (
                    (first_id + i, digest, adapt(created), USER_AGENT)
                    for i, (_n, _e, created, digest, _k) in enumerate(rows)
                ),
            )
            db.executemany(
                f"INSERT INTO django_rest_passwordreset_resetpasswordtoken ({REST_COLUMNS}) "
                "VALUES (?, ?, ?, '10.1.0.1', ?)",
                (
                    (first_id + i, key, adapt(created), USER_AGENT)
                    for i, (_n, _e, created, _d, key) in enumerate(rows)
                ),
            )
            del rows
        db.execute("ANALYZE")
    finally:
        db.close()


def _fill_postgres(name: str, users: int, password: str, filled_at: datetime) -> None:
    import psycopg

    options = settings.DATABASES["default"]
    with psycopg.connect(
        host=options["HOST"], port=options["PORT"], user=options["USER"], dbname=name
    ) as db:
        with db.cursor() as cursor:
            rows = list(_rows(users, filled_at))
            with cursor.copy(
                "COPY auth_user (password, is_superuser, username, first_name, last_name, "
                "email, is_staff, is_active, date_joined) FROM STDIN"
            ) as copy:
                for username, email, created, _d, _k in rows:
                    copy.write_row((password, False, username, "", "", email, False, True, created))
            first_id = cursor.execute(
                "SELECT id FROM auth_user WHERE username = 'fill0'"
            ).fetchone()[0]
            with cursor.copy(
                f"COPY graphql_passwordreset_resetpasswordtoken ({OUR_COLUMNS}) FROM STDIN"
            ) as copy:
                for i, (_n, _e, created, digest, _k) in enumerate(rows):
                    copy.write_row((first_id + i, digest, created, "10.1.0.1", USER_AGENT, 0))
            with cursor.copy(
                f"COPY django_rest_passwordreset_resetpasswordtoken ({REST_COLUMNS}) FROM STDIN"
            ) as copy:
                for i, (_n, _e, created, _d, key) in enumerate(rows):
                    copy.write_row((first_id + i, key, created, "10.1.0.1", USER_AGENT))
        db.commit()
        db.autocommit = True
        db.execute("VACUUM ANALYZE")


def _template_info(stamp: Path) -> dict[str, float] | None:
    """When the template was filled and how long that took, from its stamp file."""
    try:
        info = json.loads(stamp.read_text())
        return {"filled_at": float(info["filled_at"]), "seconds": float(info["seconds"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def filled(label: str, suffix: str, users: int, password: str) -> tuple[Database, dict[str, Any]]:
    """A copy of the filled template for this run, and how the template came about: when it
    was filled, how many seconds that took, and whether this run made it."""
    fingerprint = _fingerprint(users)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    stamp = DATA_DIR / f"scale-template-{engine()}-{users}-{fingerprint}.json"
    info = _template_info(stamp)
    is_sqlite = engine() == "sqlite3"
    template_path = DATA_DIR / f"scale-template-{users}-{fingerprint}.sqlite3"
    template_name = f"{PG_PREFIX}_tpl_{users}_{fingerprint}"
    present = template_path.exists() if is_sqlite else bool(_pg_names(template_name))
    too_old = info is None or (
        datetime.now(UTC) - datetime.fromtimestamp(info["filled_at"], UTC) > TEMPLATE_MAX_AGE
    )
    made_now = too_old or not present
    if made_now:
        started = time.perf_counter()
        filled_at = datetime.now(UTC)
        _drop_templates(users)
        staging = fresh("staging", f"scale-staging-{fingerprint}")
        connection.close()
        if is_sqlite:
            _fill_sqlite(Path(staging.name), users, password, filled_at)
            Path(staging.name).rename(template_path)
        else:
            _fill_postgres(staging.name, users, password, filled_at)
            with _pg_admin() as admin:
                admin.execute(f'ALTER DATABASE "{staging.name}" RENAME TO "{template_name}"')
        info = {"filled_at": filled_at.timestamp(), "seconds": time.perf_counter() - started}
        stamp.write_text(json.dumps(info))
    assert info is not None
    connection.close()
    started = time.perf_counter()
    if is_sqlite:
        path = DATA_DIR / f"{suffix}.sqlite3"
        _remove_sqlite(path)
        shutil.copyfile(template_path, path)
        database = Database(label, str(path))
    else:
        database = Database(label, f"{PG_PREFIX}_{suffix}")
        _pg_create(database.name, template=template_name)
    use(database)
    return database, {**info, "made_now": made_now, "clone_seconds": time.perf_counter() - started}


def _drop_templates(users: int) -> None:
    """Remove the templates of this size made by older fills or for older migrations."""
    if engine() == "sqlite3":
        for old in DATA_DIR.glob(f"scale-template-{users}-*"):
            old.unlink()
        for old in DATA_DIR.glob(f"scale-template-{engine()}-{users}-*"):
            old.unlink()
        return
    for name in _pg_names(f"{PG_PREFIX}_tpl_{users}_%"):
        _pg_drop(name)


def discard(database: Database) -> None:
    """Drop a database this run made (the scale run's copy of the template is big)."""
    connection.close()
    if engine() == "sqlite3":
        _remove_sqlite(Path(database.name))
    else:
        _pg_drop(database.name)


def expire_some(count: int) -> None:
    """Make ``count`` filled tokens in each table expired (a backlog the clean-up finds)."""
    old = datetime.now(UTC) - timedelta(days=365)
    with connection.cursor() as cursor:
        for table in (
            "graphql_passwordreset_resetpasswordtoken",
            "django_rest_passwordreset_resetpasswordtoken",
        ):
            cursor.execute(
                f"UPDATE {table} SET created_at = %s WHERE id IN "
                f"(SELECT id FROM {table} ORDER BY id LIMIT %s)",
                [connection.ops.adapt_datetimefield_value(old), count],
            )
