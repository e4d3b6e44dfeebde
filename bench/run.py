"""Run the benchmark and write its results: ``python -m bench.run`` from the repository root
(``make bench`` and its variants set the environment).

Environment:
  DB=sqlite|postgres    HASHER=md5|default    THROTTLES=on|off
  SQLITE_MODE=wal|default   WAL + synchronous=NORMAL (default), or SQLite's fsync per commit
  SCALE=1               the same operations on an empty database and on one with 1,000,000
                        users and a token for each in both packages' tables, round by round
  BENCH_QUICK=1         a smoke run (3 short rounds; 20,000 users when scaled) that writes to
                        artifacts/bench/ only
  BENCH_SCALE_USERS=N   users (and tokens per table) in the scale run's filled database
  BENCH_ROUNDS=N        rounds (default 20)
  BENCH_BATCH_SECONDS   the time one variant's batch aims at per round (default 0.2)
  BENCH_OUTPUT=path     where the markdown goes (default docs/benchmarks.md)

Every round runs every variant once, N operations each (the variants of one operation get the
same N), operation by operation in a fresh random order. Ratios are taken within a round, from
batches that ran seconds apart, so load that comes and goes on the machine touches both sides
of a ratio alike. Each batch is timed by the wall clock and by this process's CPU time.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.names import FLOORS, OPERATIONS

ROOT = Path(__file__).resolve().parent.parent
SCALE_USERS = 1_000_000
BACKLOG = 100_000
SHORT = {"django": "d", "scale": "sc", "postgres": "pg", "nothrottle": "nt", "default": "def"}


@dataclass(frozen=True)
class Config:
    db: str
    hasher: str
    throttles: str
    sqlite_mode: str
    scale: bool
    quick: bool
    rounds: int
    batch_seconds: float
    output: Path
    django: str

    @property
    def key(self) -> str:
        parts = [f"django{self.django.replace('.', '')}"]
        parts += ["scale"] if self.scale else []
        parts += [self.db, self.hasher]
        if self.throttles != "on":
            parts.append("nothrottle")
        if self.db == "sqlite" and self.sqlite_mode != "wal":
            parts.append("fsync")
        if self.quick:
            parts.append("quick")
        return "-".join(parts)

    @property
    def short_key(self) -> str:
        """The key in few enough characters for a PostgreSQL database name (63 at most)."""
        short = self.key
        for long, abbreviation in SHORT.items():
            short = short.replace(long, abbreviation)
        return short

    @property
    def command(self) -> str:
        words = ["make bench-scale" if self.scale else "make bench"]
        venv = Path(sys.prefix).name
        if venv != ".venv-bench":
            # The Makefile's variables for a virtualenv of another Django series.
            major, minor = (int(part) for part in self.django.split("."))
            words += [
                f"BENCH_VENV={venv}",
                f"BENCH_PYTHON={getattr(sys, '_base_executable', sys.executable)}",
                f'BENCH_DJANGO="Django>={major}.{minor},<{major}.{minor + 1}"',
            ]
        if self.db != "sqlite":
            words.append(f"DB={self.db}")
        if self.hasher != "md5":
            words.append(f"HASHER={self.hasher}")
        if self.throttles != "on":
            words.append(f"THROTTLES={self.throttles}")
        if self.db == "sqlite" and self.sqlite_mode != "wal":
            words.append(f"SQLITE_MODE={self.sqlite_mode}")
        if self.quick:
            words.append("BENCH_QUICK=1")
        return " ".join(words)


def configure() -> Config:
    import django

    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    output = os.environ.get("BENCH_OUTPUT") or (
        str(ROOT / "artifacts" / "bench" / "benchmarks-quick.md")
        if quick
        else str(ROOT / "docs" / "benchmarks.md")
    )
    return Config(
        db=os.environ.setdefault("DB", "sqlite"),
        hasher=os.environ.setdefault("HASHER", "md5"),
        throttles=os.environ.setdefault("THROTTLES", "on"),
        sqlite_mode=os.environ.setdefault("SQLITE_MODE", "wal"),
        scale=os.environ.get("SCALE", "") not in ("", "0"),
        quick=quick,
        rounds=int(os.environ.get("BENCH_ROUNDS", "3" if quick else "20")),
        batch_seconds=float(os.environ.get("BENCH_BATCH_SECONDS", "0.03" if quick else "0.2")),
        output=Path(output),
        django=".".join(str(part) for part in django.VERSION[:2]),
    )


def timed(variant: Any, http: Any, count: int) -> tuple[float, float]:
    """Prepare ``count`` operations, time them, check them: the wall-clock seconds they took
    and the CPU seconds this process spent (which other processes on the machine do not
    inflate, but which leave out the database server's own work on PostgreSQL)."""
    from bench import workload

    prepared = variant.prepare(count)
    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    results = workload.run_batch(variant, http, prepared.bodies)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    prepared.check(results)
    return elapsed, cpu


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> int:
    config = configure()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.benchsite.settings")
    import django

    django.setup()

    from django.contrib.auth.hashers import make_password

    from bench import databases, report, workload

    load_before = os.getloadavg()
    started = time.time()
    pool = 40 if config.quick else 400
    all_variants = workload.variants(pool)
    if config.scale:
        # Only what touches the tables (the packages and the floor view doing our SQL); the
        # empty and the filled database take turns.
        all_variants = [v for v in all_variants if v.operation in OPERATIONS]
        all_variants = [v for v in all_variants if v.implementation in ("rest", "graphql", "floor")]

    print(f"bench {config.key}: preparing databases", flush=True)
    dbs = []
    fill: dict[str, Any] | None = None
    if config.scale:
        default_users = 20_000 if config.quick else SCALE_USERS
        users = int(os.environ.get("BENCH_SCALE_USERS", str(default_users)))
        filled_db, fill = databases.filled(
            "1M rows" if users == SCALE_USERS else f"{users:,} rows",
            f"run-{config.short_key}-filled",
            users,
            make_password(workload.PASSWORD),
        )
        fill["users"] = users
        print(
            f"  filled template: {'made now' if fill['made_now'] else 'cached'}, "
            f"fill took {fill['seconds']:.0f} s, clone {fill['clone_seconds']:.1f} s",
            flush=True,
        )
    dbs.append(databases.fresh("empty", f"run-{config.short_key}"))
    if config.scale:
        dbs.append(filled_db)
    version = databases.server_version()

    http = workload.client()
    # Warm up (imports, caches, the validators' word list) and calibrate the batch sizes.
    per_op: dict[str, float] = {}
    for warm in (False, True):
        for database in dbs:
            databases.use(database)
            for variant in all_variants:
                seconds = timed(variant, http, 3)[0] / 3
                if warm:
                    per_op[variant.operation] = max(per_op.get(variant.operation, 0.0), seconds)
    batch = {
        operation: max(2, min(pool, round(config.batch_seconds / seconds)))
        for operation, seconds in per_op.items()
    }
    print(f"  batch sizes: {batch}", flush=True)

    # Statements per operation, outside any timed section.
    sql: dict[str, dict[str, Any]] = {}
    databases.use(dbs[0])
    for variant in all_variants:
        if variant.direct is not None:
            continue
        prepared = variant.prepare(1)
        with workload.count_sql() as counted:
            results = workload.run_batch(variant, http, prepared.bodies)
        prepared.check(results)
        sql[variant.name] = {
            "statements": counted.statements,
            "writes": counted.writes,
            "transactions": counted.transactions,
            "atomic_blocks": counted.atomic_blocks,
            "autocommit_writes": counted.autocommit_writes,
            "sql": counted.sql,
        }

    # Each round takes the operations in a random order, and each operation's variants back
    # to back in a random order (and, in the scale run, each variant on both databases in
    # turn), so the batches a ratio compares run seconds apart.
    rng = random.Random(5)
    clocks = ("wall", "cpu")
    samples: dict[str, dict[str, dict[str, list[float]]]] = {
        clock: {db.label: {} for db in dbs} for clock in clocks
    }
    groups: dict[str, list[Any]] = {}
    for variant in all_variants:
        groups.setdefault(variant.operation, []).append(variant)
    current = dbs[-1]
    for round_number in range(config.rounds):
        operations = list(groups)
        rng.shuffle(operations)
        for operation in operations:
            group = list(groups[operation])
            rng.shuffle(group)
            for variant in group:
                for database in dbs if round_number % 2 == 0 else list(reversed(dbs)):
                    if database != current:
                        databases.use(database)
                        current = database
                    count = batch[operation]
                    for clock, seconds in zip(clocks, timed(variant, http, count), strict=True):
                        samples[clock][database.label].setdefault(variant.name, []).append(
                            count / seconds
                        )
        print(f"  round {round_number + 1}/{config.rounds} done", flush=True)

    backlog = None
    if config.scale:
        backlog = measure_backlog(dbs[-1], http, all_variants)
        databases.discard(dbs[-1])
    load_after = os.getloadavg()

    results = summarise(samples["wall"], sql, batch)
    results["cpu"] = summarise(samples["cpu"], sql, batch)
    results.update(
        key=config.key,
        command=config.command,
        config={
            "db": config.db,
            "hasher": config.hasher,
            "throttles": config.throttles,
            "sqlite_mode": config.sqlite_mode,
            "scale": config.scale,
            "quick": config.quick,
            "django": config.django,
            "rounds": config.rounds,
            "batch": batch,
        },
        database_version=version,
        machine=report.machine(),
        load={"before": load_before, "after": load_after},
        started=started,
        duration=time.time() - started,
        fill=fill,
        backlog=backlog,
    )
    results_dir = databases.DATA_DIR / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{config.key}.json").write_text(json.dumps(results, indent=2))
    report.write(results, config.output)
    print(report.console(results))
    print(f"wrote {config.output} ({time.time() - started:.0f} s)")
    return 0


def summarise(
    samples: dict[str, dict[str, list[float]]],
    sql: dict[str, dict[str, Any]],
    batch: dict[str, int],
) -> dict[str, Any]:
    """Medians and spreads of ops/s, and the per-round ratios that matter."""

    variants: dict[str, dict[str, Any]] = {}
    for label, by_variant in samples.items():
        for name, values in by_variant.items():
            variants.setdefault(name, {})[label] = {"ops": spread(values), "samples": values}
    ratios: dict[str, dict[str, Any]] = {}
    own: dict[str, dict[str, Any]] = {}
    first = next(iter(samples))
    runs = samples[first]
    for operation in OPERATIONS:
        rest = runs.get(f"rest.{operation}")
        if not rest:
            continue
        for implementation in ("graphql", "noop", "restfloor", "floor"):
            mine = runs.get(f"{implementation}.{operation}")
            if mine:
                # ops/s over REST's ops/s, round by round (above 1: faster than REST).
                per_round = [m / r for m, r in zip(mine, rest, strict=True)]
                ratios[f"{implementation}.{operation}"] = spread(per_round)
        # Own work: milliseconds per operation over the floor of the same shape, taken
        # within each round.
        for package, floor in FLOORS.items():
            theirs, base = runs.get(f"{package}.{operation}"), runs.get(f"{floor}.{operation}")
            if theirs and base:
                values = [1000 / t - 1000 / b for t, b in zip(theirs, base, strict=True)]
                own[f"{package}.{operation}"] = {**spread(values), "samples": values}
        ours, rests = own.get(f"graphql.{operation}"), own.get(f"rest.{operation}")
        if ours and rests:
            per_round = [
                o / r if r > 0 else float("inf")
                for o, r in zip(ours["samples"], rests["samples"], strict=True)
            ]
            own[f"ratio.{operation}"] = {
                # The verdict: the median of our own work over the median of REST's (robust
                # to a round where REST's own work comes out near zero); the range is per round.
                "median": ours["median"] / rests["median"],
                "min": min(per_round),
                "max": max(per_round),
            }
    hasher = runs.get("hasher.confirm")
    if hasher:
        for implementation in ("rest", "graphql", "floor"):
            mine = runs.get(f"{implementation}.confirm")
            if mine:
                # Time of a confirm over the time of set_password() + save().
                per_round = [h / m for m, h in zip(mine, hasher, strict=True)]
                ratios[f"hasher:{implementation}.confirm"] = spread(per_round)
    scale: dict[str, Any] = {}
    if len(samples) == 2:
        empty, full = samples
        for name, empty_ops in samples[empty].items():
            full_ops = samples[full][name]
            per_round = [e / f for e, f in zip(empty_ops, full_ops, strict=True)]
            scale[name] = spread(per_round)
    return {
        "variants": variants,
        "ratios": ratios,
        "own": own,
        "scale": scale,
        "sql": sql,
        "batch": batch,
    }


def measure_backlog(database: Any, http: Any, variants: list[Any]) -> dict[str, Any]:
    """One-off requests on the filled database, after the rounds.

    First BACKLOG filled tokens in each table expire, and each package's next request is timed:
    a clean-up that deletes every expired row shows as one slow request. Then the user lookup
    loses its index, and a request of each package is timed against the whole user table."""
    from django_rest_passwordreset.models import ResetPasswordToken as RestToken

    from bench import databases
    from graphql_passwordreset.models import ResetPasswordToken as OurToken

    databases.use(database)
    databases.expire_some(BACKLOG)
    requests = [
        variant
        for variant in variants
        if variant.operation == "request" and variant.implementation in ("rest", "graphql")
    ]
    measured: dict[str, Any] = {"expired": BACKLOG}
    for variant in requests:
        model = RestToken if variant.implementation == "rest" else OurToken
        first = timed(variant, http, 1)[0]
        left = model.objects.expired().count() if model is OurToken else _rest_expired()
        second = timed(variant, http, 1)[0]
        measured[variant.implementation] = {
            "first_seconds": first,
            "second_seconds": second,
            "expired_left": left,
        }
    databases.index_user_lookup(create=False)
    for variant in requests:
        seconds = [timed(variant, http, 1)[0] for _ in range(3)]
        measured[variant.implementation]["no_user_index_seconds"] = statistics.median(seconds)
    databases.index_user_lookup()
    return measured


def _rest_expired() -> int:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone
    from django_rest_passwordreset.models import ResetPasswordToken as RestToken

    hours = settings.DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME
    return RestToken.objects.filter(created_at__lte=timezone.now() - timedelta(hours=hours)).count()


if __name__ == "__main__":
    raise SystemExit(main())
