"""A bounded Schemathesis fuzz of the live GraphQL endpoints: ``make fuzz``
(``python -m bench.fuzz`` in .venv-bench).

Serves the test suite's project (tests.urls: /graphql and /graphql-relay) with gunicorn on
127.0.0.1 (bench/fuzz_settings.py, a fresh SQLite file under artifacts/fuzz/), then lets
Schemathesis generate GraphQL documents for the three password reset operations, valid and
invalid ones (``--mode all``), in two passes:

1. ``open``: rate limits that a run never reaches, so the operations themselves answer;
2. ``tight``: 3 a minute, so most answers are THROTTLED (and must be at least once for each
   operation).

Each answer is checked by Schemathesis (not_a_server_error: no 5xx and no field error, which
this package only raises for an unexpected exception; response_schema_conformance;
negative_data_rejection) and by bench/fuzz_hooks.py (no traceback, path, module name or the
generic "could not be processed" message). Afterwards the server's log must hold no ERROR and
no traceback. Exits non-zero on any failure.

Environment:
  FUZZ_SECONDS        time box of each Schemathesis run (default 20; 0: one round only)
  FUZZ_TIGHT_SECONDS  the same for the tight pass (default 8)
  FUZZ_MAX_EXAMPLES   test cases per operation and round (default 100)
  FUZZ_PORT           the server's port on 127.0.0.1 (default 8210)
  FUZZ_SEED           Schemathesis' seed, to repeat a run
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.integration.processes import (
    REPO,
    Service,
    ServiceFailed,
    environment,
    port_open,
    python,
    start,
    wait_for_port,
)

OUT = REPO / "artifacts" / "fuzz"
ENDPOINTS = ("/graphql", "/graphql-relay")
OPERATIONS_REGEX = "PasswordReset|ResetToken"
CHECKS = [
    "not_a_server_error",
    "response_schema_conformance",
    "negative_data_rejection",
    "no_internal_details",
    "OutcomesSeen",
]
# Django's CSRF check stays on: the client sends a cookie and the same token in the header.
CSRF_TOKEN = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"
KNOWN_USER = ("fuzz", "fuzz.user@example.com", "Fuzz-Start-passw0rd")


@dataclass
class Run:
    """One Schemathesis run against one endpoint, and what it found."""

    rates: str
    endpoint: str
    exit_code: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    log: Path = Path()

    @property
    def generated(self) -> int:
        return int(self.report.get("test_cases", {}).get("generated", 0))

    @property
    def failures(self) -> list[str]:
        found = [
            f"{failure['title']} x{failure['count']} ({', '.join(failure['operations'])})"
            for failure in self.report.get("failures", [])
        ]
        found += [f"{error['title']} x{error['count']}" for error in self.report.get("errors", [])]
        if self.exit_code and not found:
            found.append(f"schemathesis exited with {self.exit_code}, see {self.log}")
        return found


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def prepare_database(database: Path) -> None:
    """Migrate a fresh SQLite file and create the user the hooks' known address belongs to."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.contrib.auth import get_user_model\n"
        "call_command('migrate', verbosity=0)\n"
        f"user = get_user_model()(username={KNOWN_USER[0]!r}, email={KNOWN_USER[1]!r})\n"
        f"user.set_password({KNOWN_USER[2]!r})\n"
        "user.save()\n"
    )
    env = environment(DJANGO_SETTINGS_MODULE="bench.fuzz_settings", FUZZ_DB_PATH=str(database))
    subprocess.run(python("-c", code), cwd=REPO, env=env, check=True)


def start_server(port: int, database: Path, rates: str, log: Path) -> Service:
    """gunicorn with one worker process (its cache is the throttle counter) and 4 threads."""
    if port_open(port):
        raise SystemExit(f"127.0.0.1:{port} is in use; set FUZZ_PORT to a free port")
    server = start(
        "gunicorn",
        python(
            *("-m", "gunicorn", "--workers=1", "--threads=4", f"--bind=127.0.0.1:{port}"),
            "django.core.wsgi:get_wsgi_application()",
        ),
        log,
        DJANGO_SETTINGS_MODULE="bench.fuzz_settings",
        FUZZ_DB_PATH=str(database),
        FUZZ_RATES=rates,
    )
    try:
        wait_for_port(server, port, timeout=30)
    except ServiceFailed as exc:
        server.stop()
        raise SystemExit(str(exc)) from None
    return server


def fuzz(run: Run, port: int, seconds: int, max_examples: int, expect_throttled: bool) -> Run:
    name = f"{run.rates}{run.endpoint.replace('/', '-')}"
    report_path = OUT / f"{name}.json"
    outcomes_path = OUT / f"{name}-outcomes.json"
    run.log = OUT / f"{name}.log"
    argv = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"http://127.0.0.1:{port}{run.endpoint}",
        "--header",
        f"Cookie: csrftoken={CSRF_TOKEN}",
        "--header",
        f"X-CSRFToken: {CSRF_TOKEN}",
        f"--checks={','.join(CHECKS)}",
        f"--include-name-regex={OPERATIONS_REGEX}",
        "--mode=all",
        f"--max-examples={max_examples}",
        "--workers=2",
        "--report=json",
        f"--report-json-path={report_path}",
    ]
    if seconds:
        argv.append(f"--max-time={seconds}")
    if os.environ.get("FUZZ_SEED"):
        argv.append(f"--seed={os.environ['FUZZ_SEED']}")
    env = environment(
        SCHEMATHESIS_HOOKS="bench.fuzz_hooks",
        FUZZ_OUTCOMES_PATH=str(outcomes_path),
        FUZZ_EXPECT_THROTTLED="1" if expect_throttled else "0",
        NO_COLOR="1",
    )
    # The time box is Schemathesis' own; this only stops a run that hangs.
    limit = (seconds or 300) + 120
    with run.log.open("wb") as output:
        try:
            # From artifacts/: Schemathesis keeps the failures it found (replayed first next
            # time) in .schemathesis/ under its working directory.
            completed = subprocess.run(
                argv, cwd=OUT.parent, env=env, stdout=output, stderr=subprocess.STDOUT,
                timeout=limit,
            )  # fmt: skip
            run.exit_code = completed.returncode
        except subprocess.TimeoutExpired:
            run.exit_code = -1
            output.write(f"\nstopped after {limit} s\n".encode())
    if report_path.exists():
        run.report = json.loads(report_path.read_text(encoding="utf-8"))
    if outcomes_path.exists():
        run.outcomes = json.loads(outcomes_path.read_text(encoding="utf-8"))
    return run


def main() -> int:
    port = _env("FUZZ_PORT", 8210)
    max_examples = _env("FUZZ_MAX_EXAMPLES", 100)
    passes = [("open", _env("FUZZ_SECONDS", 20)), ("tight", _env("FUZZ_TIGHT_SECONDS", 8))]
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    database = OUT / "fuzz.sqlite3"
    prepare_database(database)
    started = time.monotonic()
    runs: list[Run] = []
    problems: list[str] = []
    for rates, seconds in passes:
        server = start_server(port, database, rates, OUT / f"server-{rates}.log")
        try:
            for endpoint in ENDPOINTS:
                run = fuzz(Run(rates, endpoint), port, seconds, max_examples, rates == "tight")
                runs.append(run)
                print(
                    f"{rates:5} {endpoint:14} {run.generated:6} test cases, "
                    f"{len(run.failures)} failures",
                    flush=True,
                )
        finally:
            server.stop()
        problems += [f"server ({rates}): {line}" for line in server.errors()]

    print(f"\nSchemathesis fuzz, {time.monotonic() - started:.0f} s, artifacts in {OUT}")
    for run in runs:
        problems += [f"{run.rates} {run.endpoint}: {failure}" for failure in run.failures]
        for operation, outcomes in run.outcomes.items():
            print(f"  {run.rates:5} {run.endpoint:14} {operation:22} {', '.join(outcomes)}")
    total = sum(run.generated for run in runs)
    print(f"test cases: {total}, failures: {len(problems)}")
    for problem in problems:
        print(f"  FAIL {problem}")
    for run in runs:
        if run.failures:
            print(f"\n--- {run.log} (end) ---")
            print("\n".join(run.log.read_text(errors="replace").splitlines()[-60:]))
    return 1 if problems or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
