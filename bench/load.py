"""Mixed concurrent load against a real server, then a check of the database: ``make load``
(60 s) and ``make load-ci`` (15 s); ``python -m bench.load`` in .venv-bench.

1. Creates the PostgreSQL database LOAD_DB_NAME (dropped again at the end), migrates it and
   creates LOAD_USERS users with a known password.
2. Starts gunicorn with 2 worker processes on 127.0.0.1 (bench/load_wsgi.py: the test project
   on PostgreSQL, Redis as the shared throttle cache, a receiver that pushes every delivered
   token to a Redis list).
3. Drives LOAD_SECONDS of mixed traffic from LOAD_CLIENTS threads, each request from one of
   many simulated client addresses (X-Forwarded-For behind one trusted proxy), bounded by
   LOAD_MAX_REQUESTS too: requests for known and unknown addresses, validates of delivered and
   of made-up tokens, confirms with delivered and with made-up tokens, and races of two
   confirms with one token. Every answer is judged as it comes: 5xx, GraphQL errors, transport
   errors and answers the operation must never give are counted; THROTTLED is counted apart.
4. Stops the server and checks the database against what was delivered and confirmed: at
   most one token per user; that token is the user's last delivered one unless that was
   confirmed; every confirmed token is gone; no two confirms succeeded with one token; every
   user's password is the one of their last successful confirm (or the initial one);
   deliveries match the requests answered ok; no token rows of anyone else.

Prints requests served, counts per operation, errors, throttled answers and p50/p99 latency
per operation and overall; exits non-zero on any server error, GraphQL error, transport error,
wrong answer or broken invariant.

Environment: LOAD_SECONDS (60), LOAD_MAX_REQUESTS (200000), LOAD_CLIENTS (8 threads),
LOAD_USERS (200), LOAD_WORKERS (2), LOAD_PORT (8220), LOAD_DB_NAME (bench_load),
LOAD_RATES (generous or default), LOAD_HASHER (md5 or default), LOAD_KEEP_DB=1 keeps the
database, and PGHOST/PGPORT/PGUSER, LOAD_REDIS_URL (redis://127.0.0.1:6379/1).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests

from bench import postgres_server
from tests.integration.processes import (
    REPO,
    Service,
    ServiceFailed,
    delete_redis_keys,
    port_open,
    python,
    start,
    wait_for,
)

OUT = REPO / "artifacts" / "load"
HOST = "127.0.0.1"
CSRF_TOKEN = "loadloadloadloadloadloadloadload"
INITIAL_PASSWORD = "Load-Start-passw0rd"
REQUEST_TIMEOUT = 30

REQUEST = (
    "mutation($email: String!) { requestPasswordReset(email: $email) { ok errors { field code } } }"
)
VALIDATE = "query($token: String!) { validateResetToken(token: $token) { valid errors { code } } }"
CONFIRM = (
    "mutation($token: String!, $password: String!) {"
    " confirmPasswordReset(token: $token, password: $password) { ok errors { field code } } }"
)
# (operation, weight): the mix each client thread draws from.
MIX = [
    ("request-known", 25),
    ("request-unknown", 10),
    ("validate-delivered", 15),
    ("validate-bad", 10),
    ("confirm-delivered", 20),
    ("confirm-bad", 10),
    ("confirm-race", 10),
]


def _setting(name: str, default: Any) -> Any:
    return type(default)(os.environ.get(name, default))


@dataclass(frozen=True)
class Config:
    seconds: float = _setting("LOAD_SECONDS", 60.0)
    max_requests: int = _setting("LOAD_MAX_REQUESTS", 200_000)
    clients: int = _setting("LOAD_CLIENTS", 8)
    users: int = _setting("LOAD_USERS", 200)
    workers: int = _setting("LOAD_WORKERS", 2)
    port: int = _setting("LOAD_PORT", 8220)
    database: str = _setting("LOAD_DB_NAME", "bench_load")
    rates: str = _setting("LOAD_RATES", "generous")
    hasher: str = _setting("LOAD_HASHER", "md5")
    redis_url: str = _setting("LOAD_REDIS_URL", "redis://127.0.0.1:6379/1")
    keep_database: bool = os.environ.get("LOAD_KEEP_DB") == "1"
    prefix: str = f"bench-load-{os.getpid()}"

    def environment(self) -> dict[str, str]:
        """What the server (and this process, for the checks) needs besides the environment."""
        return {
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "LOAD_DB_NAME": self.database,
            "LOAD_REDIS_URL": self.redis_url,
            "LOAD_REDIS_PREFIX": self.prefix,
            "LOAD_RATES": self.rates,
            "LOAD_HASHER": self.hasher,
        }


# --- what happened -------------------------------------------------------------------------


@dataclass
class Call:
    """One HTTP request and how it was answered."""

    operation: str
    seconds: float
    outcome: str  # ok, valid, a payload error code, THROTTLED, or one of ERRORS
    status: int | None = None
    detail: str = ""


SERVER_ERROR, GRAPHQL_ERROR, TRANSPORT_ERROR = "server error", "GraphQL error", "transport error"
ERRORS = (SERVER_ERROR, GRAPHQL_ERROR, TRANSPORT_ERROR)
# Besides THROTTLED (and the errors above), the answers each operation may give.
EXPECTED = {
    "request-known": {"ok"},
    "request-unknown": {"ok"},
    "validate-delivered": {"valid", "INVALID_TOKEN"},  # a newer request or a confirm came first
    "validate-bad": {"INVALID_TOKEN"},
    "confirm-delivered": {"ok", "INVALID_TOKEN"},
    "confirm-bad": {"INVALID_TOKEN"},
    "confirm-race": {"ok", "INVALID_TOKEN"},
}


@dataclass(frozen=True)
class Delivery:
    """A token the server delivered (its receiver pushed it to Redis)."""

    user: str
    key: str
    created: str  # ISO time: tokens of one user are created (and committed) in this order

    @classmethod
    def parse(cls, raw: bytes) -> Delivery:
        data = json.loads(raw)
        return cls(data["user"], data["key"], data["created"])


@dataclass
class Confirm:
    """A confirm with a delivered token: the password it tried to set and what came back."""

    delivery: Delivery
    password: str
    outcome: str


@dataclass
class Journal:
    """Everything the client threads did, for the report and the checks afterwards."""

    calls: list[Call] = field(default_factory=list)
    confirms: list[Confirm] = field(default_factory=list)
    requests_ok: Counter[str] = field(default_factory=Counter)  # user id -> ok requests
    requests_unsure: Counter[str] = field(default_factory=Counter)  # no answer received
    races: list[list[str]] = field(default_factory=list)  # outcomes of two confirms, one token
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


# --- the client ----------------------------------------------------------------------------


class Client:
    """One simulated browser: posts GraphQL documents like the front end would."""

    def __init__(self, url: str, journal: Journal, address: str) -> None:
        self.url = url
        self.journal = journal
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Cookie": f"csrftoken={CSRF_TOKEN}",
                "X-CSRFToken": CSRF_TOKEN,
                "X-Forwarded-For": address,
                "User-Agent": "bench-load",
            }
        )

    def post(self, operation: str, query: str, variables: dict[str, str], field: str) -> Call:
        started = time.perf_counter()
        try:
            response = self.session.post(
                self.url, json={"query": query, "variables": variables}, timeout=REQUEST_TIMEOUT
            )
        except requests.RequestException as exc:
            call = Call(operation, time.perf_counter() - started, TRANSPORT_ERROR, None, repr(exc))
            self.journal.add(call)
            return call
        call = Call(operation, time.perf_counter() - started, "", response.status_code)
        call.outcome, call.detail = _judge(response, field)
        self.journal.add(call)
        return call


def _judge(response: requests.Response, field: str) -> tuple[str, str]:
    """The outcome of one answer: ok/valid, its first error code, or an error kind."""
    if response.status_code >= 500:
        return SERVER_ERROR, response.text[:500]
    try:
        body = response.json()
        payload = body["data"][field]
    except (ValueError, KeyError, TypeError):
        return GRAPHQL_ERROR, response.text[:500]
    if body.get("errors") or not isinstance(payload, dict):
        return GRAPHQL_ERROR, response.text[:500]
    for flag in ("ok", "valid"):
        if payload.get(flag) is True:
            return flag, ""
    codes = [error["code"] for error in payload.get("errors") or []]
    return (codes[0] if codes else "no error code"), ",".join(codes)


class Traffic:
    """The mixed workload of one run."""

    def __init__(self, config: Config, journal: Journal, addresses: dict[str, str]) -> None:
        self.config = config
        self.journal = journal
        self.addresses = addresses  # user id -> address
        self.users = sorted(addresses)
        self.url = f"http://{HOST}:{config.port}/graphql"
        self.redis = redis.Redis.from_url(config.redis_url)
        self.pool = f"{config.prefix}:pool"
        self.deadline = 0.0
        self.budget = itertools.count()  # LOAD_MAX_REQUESTS bounds the run too
        self.passwords = itertools.count()
        operations, weights = zip(*MIX, strict=True)
        self.operations: list[str] = list(operations)
        self.weights: list[int] = list(weights)

    def run(self) -> None:
        self.deadline = time.monotonic() + self.config.seconds
        with ThreadPoolExecutor(self.config.clients) as executor:
            for worker in range(self.config.clients):
                executor.submit(self.client_loop, worker)

    def _more(self) -> bool:
        return time.monotonic() < self.deadline and next(self.budget) < self.config.max_requests

    def client_loop(self, worker: int) -> None:
        generator = random.Random(worker)
        clients = [
            Client(self.url, self.journal, f"198.51.{worker}.{n}") for n in range(1, 33)
        ]  # 32 simulated addresses per thread
        try:
            while self._more():
                client = generator.choice(clients)
                operation = generator.choices(self.operations, self.weights)[0]
                getattr(self, operation.replace("-", "_"))(client, generator)
        except Exception as exc:  # a bug in the driver must not pass for a quiet run
            self.journal.add(Call("driver", 0.0, TRANSPORT_ERROR, None, repr(exc)))

    def _take_delivery(self) -> Delivery | None:
        raw = self.redis.lpop(self.pool)
        return Delivery.parse(raw) if raw else None

    def _new_password(self, user: str) -> str:
        return f"Load-{user}-{next(self.passwords)}-Qx7"

    def request_known(self, client: Client, generator: random.Random) -> None:
        user = generator.choice(self.users)
        call = client.post(
            "request-known", REQUEST, {"email": self.addresses[user]}, "requestPasswordReset"
        )
        with self.journal.lock:
            if call.outcome == "ok":
                self.journal.requests_ok[user] += 1
            elif call.outcome in ERRORS:
                self.journal.requests_unsure[user] += 1

    def request_unknown(self, client: Client, generator: random.Random) -> None:
        address = f"nobody-{generator.randrange(10**9)}@load.example.com"
        client.post("request-unknown", REQUEST, {"email": address}, "requestPasswordReset")

    def validate_delivered(self, client: Client, generator: random.Random) -> None:
        delivery = self._take_delivery()
        if delivery is None:
            return self.request_known(client, generator)
        client.post("validate-delivered", VALIDATE, {"token": delivery.key}, "validateResetToken")
        self.redis.rpush(self.pool, json.dumps(asdict(delivery)))  # still for a confirm

    def validate_bad(self, client: Client, generator: random.Random) -> None:
        token = secrets.token_urlsafe(24)
        client.post("validate-bad", VALIDATE, {"token": token}, "validateResetToken")

    def confirm_delivered(self, client: Client, generator: random.Random) -> None:
        delivery = self._take_delivery()
        if delivery is None:
            return self.request_known(client, generator)
        password = self._new_password(delivery.user)
        variables = {"token": delivery.key, "password": password}
        call = client.post("confirm-delivered", CONFIRM, variables, "confirmPasswordReset")
        with self.journal.lock:
            self.journal.confirms.append(Confirm(delivery, password, call.outcome))

    def confirm_bad(self, client: Client, generator: random.Random) -> None:
        variables = {"token": secrets.token_urlsafe(24), "password": "Load-bad-token-Qx7"}
        client.post("confirm-bad", CONFIRM, variables, "confirmPasswordReset")

    def confirm_race(self, client: Client, generator: random.Random) -> None:
        """Two confirms with one token, at the same moment, from two connections."""
        delivery = self._take_delivery()
        if delivery is None:
            return self.request_known(client, generator)
        twin = Client(self.url, self.journal, client.session.headers["X-Forwarded-For"])
        passwords = [self._new_password(delivery.user) for _ in range(2)]
        barrier = threading.Barrier(2)
        calls: list[Call] = []

        def confirm(racer: Client, password: str) -> None:
            barrier.wait(timeout=REQUEST_TIMEOUT)
            variables = {"token": delivery.key, "password": password}
            call = racer.post("confirm-race", CONFIRM, variables, "confirmPasswordReset")
            with self.journal.lock:
                calls.append(call)
                self.journal.confirms.append(Confirm(delivery, password, call.outcome))

        other = threading.Thread(target=confirm, args=(twin, passwords[1]))
        other.start()
        confirm(client, passwords[0])
        other.join()
        with self.journal.lock:
            self.journal.races.append([call.outcome for call in calls])


# --- the server and its database -----------------------------------------------------------


def _maintenance(config: Config) -> psycopg.Connection[Any]:
    return psycopg.connect(**postgres_server.server(), dbname="postgres", autocommit=True)


def recreate_database(config: Config, drop_only: bool = False) -> None:
    """Drop LOAD_DB_NAME if it exists, and create it empty (never any other database)."""
    if config.database in {"postgres", "template0", "template1", "test"}:
        raise SystemExit(f"LOAD_DB_NAME={config.database!r} is not a database to drop")
    with _maintenance(config) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{config.database}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{config.database}"')


def start_server(config: Config, log: Path) -> Service:
    if port_open(config.port):
        raise SystemExit(f"{HOST}:{config.port} is in use; set LOAD_PORT to a free port")
    server = start(
        "gunicorn",
        python(
            *("-m", "gunicorn", f"--workers={config.workers}", f"--bind={HOST}:{config.port}"),
            *("--backlog=256", "bench.load_wsgi:application"),
        ),
        log,
        **config.environment(),
    )
    # The port opens before the workers have loaded the application: wait for answers.
    answered = 0

    def every_worker_answers() -> bool:
        nonlocal answered
        try:
            response = requests.post(
                f"http://{HOST}:{config.port}/graphql",
                json={"query": "{ __typename }"},
                headers={"Cookie": f"csrftoken={CSRF_TOKEN}", "X-CSRFToken": CSRF_TOKEN},
                timeout=5,
            )
        except requests.ConnectionError:
            return False
        answered += response.status_code == 200
        return answered >= 4 * config.workers

    try:
        wait_for(server, every_worker_answers, "answers from every worker", timeout=60)
    except ServiceFailed as exc:
        server.stop()
        raise SystemExit(str(exc)) from None
    return server


# --- the checks afterwards -----------------------------------------------------------------


def check_database(journal: Journal, deliveries: list[Delivery]) -> dict[str, list[str]]:
    """Compare the database with what the server delivered and what the clients confirmed."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from graphql_passwordreset.models import ResetPasswordToken, token_digests

    problems: dict[str, list[str]] = defaultdict(list)
    users = {str(user.pk): user for user in get_user_model()._default_manager.all()}
    rows = list(ResetPasswordToken.objects.values_list("user_id", "key_digest"))
    row_digests = {digest for _, digest in rows}

    crowded = ResetPasswordToken.objects.values("user").annotate(n=Count("pk")).filter(n__gt=1)
    for entry in crowded:
        problems["users with more than one token"].append(f"user {entry['user']}: {entry['n']}")

    keys = Counter(delivery.key for delivery in deliveries)
    problems["tokens delivered twice"] += [key for key, count in keys.items() if count > 1]
    by_user: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        by_user[delivery.user].append(delivery)
    for user_deliveries in by_user.values():
        user_deliveries.sort(key=lambda delivery: delivery.created)

    # Deliveries match the requests answered ok: none lost, none for unknown addresses.
    for user in set(by_user) | set(journal.requests_ok):
        delivered, answered = len(by_user.get(user, [])), journal.requests_ok.get(user, 0)
        unsure = journal.requests_unsure.get(user, 0)
        if not answered <= delivered <= answered + unsure:
            problems["deliveries not matching ok requests"].append(
                f"user {user}: {delivered} delivered, {answered} requests answered ok"
            )
    problems["deliveries to users that do not exist"] += sorted(set(by_user) - set(users))

    succeeded = [confirm for confirm in journal.confirms if confirm.outcome == "ok"]
    unsure = [confirm for confirm in journal.confirms if confirm.outcome in ERRORS]
    uses = Counter(confirm.delivery.key for confirm in succeeded)
    problems["tokens used by two confirms"] += [key for key, count in uses.items() if count > 1]
    for race in journal.races:
        if race.count("ok") > 1:
            problems["races won twice"].append(",".join(race))
    for confirm in succeeded:
        if set(token_digests(confirm.delivery.key)) & row_digests:
            problems["confirmed tokens still present"].append(confirm.delivery.key)

    consumed = {confirm.delivery.key for confirm in succeeded}
    maybe_consumed = {confirm.delivery.key for confirm in unsure}
    delivered_digests: dict[str, str] = {}
    for user, user_deliveries in by_user.items():
        last = user_deliveries[-1]
        digest = token_digests(last.key)[0]
        delivered_digests.update((token_digests(d.key)[0], user) for d in user_deliveries)
        live = {row_digest for row_user, row_digest in rows if str(row_user) == user}
        if last.key in consumed:
            expected: set[frozenset[str]] = {frozenset()}
        elif last.key in maybe_consumed:
            expected = {frozenset(), frozenset({digest})}
        else:
            expected = {frozenset({digest})}
        if frozenset(live) not in expected:
            state = "consumed" if last.key in consumed else "not consumed"
            problems["users whose token is not their last delivered one"].append(
                f"user {user}: {len(live)} rows, the last delivered token {state}"
            )
    for row_user, row_digest in rows:
        if delivered_digests.get(row_digest) != str(row_user):
            problems["token rows nobody was sent"].append(f"user {row_user}")

    # Each user's password is the one of their last successful confirm (tokens of one user
    # are created, and so confirmed, in order), or still the initial one.
    final: dict[str, list[str]] = {}
    for confirm in sorted(succeeded, key=lambda confirm: confirm.delivery.created):
        final[confirm.delivery.user] = [confirm.password]
    for confirm in unsure:  # no answer: either password may be the one set
        final.setdefault(confirm.delivery.user, [INITIAL_PASSWORD]).append(confirm.password)
    for user_id, user in users.items():
        candidates = final.get(user_id, [INITIAL_PASSWORD])
        if not any(user.check_password(password) for password in candidates):
            problems["users with a password nobody set"].append(f"user {user_id}")
    return problems


# --- report --------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def report(config: Config, journal: Journal, elapsed: float) -> list[str]:
    """Print the table; return the answers that count as errors or were wrong."""
    calls = journal.calls
    failures: list[str] = []
    print(
        f"\nLoad: {elapsed:.1f} s, gunicorn {config.workers} workers (sync), "
        f"{config.clients} client threads, {config.users} users, PostgreSQL {config.database}, "
        f"Redis cache, rates {config.rates}, hasher {config.hasher}"
    )
    served = sum(call.status is not None for call in calls)
    print(f"requests served: {served} ({served / elapsed:.0f}/s), made: {len(calls)}\n")
    header = f"{'operation':20} {'count':>7} {'answers':40} {'p50 ms':>8} {'p99 ms':>8}"
    print(header)
    print("-" * len(header))
    by_operation: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        by_operation[call.operation].append(call)
    for operation in [name for name, _ in MIX] + ["driver"]:
        group = by_operation.get(operation, [])
        if not group:
            continue
        outcomes = Counter(call.outcome for call in group)
        summary = ", ".join(f"{name} {count}" for name, count in outcomes.most_common())
        seconds = [call.seconds for call in group]
        print(
            f"{operation:20} {len(group):7} {summary[:40]:40} "
            f"{_percentile(seconds, 0.5):8.1f} {_percentile(seconds, 0.99):8.1f}"
        )
        allowed = EXPECTED.get(operation, set()) | {"THROTTLED"}
        for call in group:
            if call.outcome not in allowed:
                failures.append(f"{operation}: {call.outcome} {call.status} {call.detail[:200]}")
    seconds = [call.seconds for call in calls]
    print(
        f"{'all':20} {len(calls):7} {'':40} "
        f"{_percentile(seconds, 0.5):8.1f} {_percentile(seconds, 0.99):8.1f}"
    )
    outcomes = Counter(call.outcome for call in calls)
    print(
        f"\nserver errors (5xx): {outcomes[SERVER_ERROR]}, GraphQL errors: "
        f"{outcomes[GRAPHQL_ERROR]}, transport errors: {outcomes[TRANSPORT_ERROR]}, "
        f"throttled: {outcomes['THROTTLED']}"
    )
    return failures


def main() -> int:
    config = Config()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(config.environment())
    sys.path.insert(0, str(REPO))
    recreate_database(config)
    server: Service | None = None
    journal = Journal()
    try:
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        hashed = make_password(INITIAL_PASSWORD)
        model = get_user_model()
        model._default_manager.bulk_create(
            model(username=f"load{n}", email=f"load{n}@load.example.com", password=hashed)
            for n in range(1, config.users + 1)
        )
        addresses = dict(model._default_manager.values_list("pk", "email"))
        traffic = Traffic(config, journal, {str(pk): email for pk, email in addresses.items()})
        connections.close_all()

        server = start_server(config, OUT / "server.log")
        started = time.monotonic()
        traffic.run()
        elapsed = time.monotonic() - started
        server.stop()

        failures = report(config, journal, elapsed)
        raw = redis.Redis.from_url(config.redis_url).lrange(f"{config.prefix}:delivered", 0, -1)
        deliveries = [Delivery.parse(entry) for entry in raw]
        problems = check_database(journal, deliveries)
        logged = server.errors()
        succeeded = sum(confirm.outcome == "ok" for confirm in journal.confirms)
        print(
            f"tokens delivered: {len(deliveries)}, passwords changed: {succeeded}, "
            f"confirm races: {len(journal.races)}, server log errors: {len(logged)}"
        )
        invariants = [
            "users with more than one token",
            "tokens delivered twice",
            "deliveries not matching ok requests",
            "deliveries to users that do not exist",
            "tokens used by two confirms",
            "races won twice",
            "confirmed tokens still present",
            "users whose token is not their last delivered one",
            "token rows nobody was sent",
            "users with a password nobody set",
        ]
        for name in invariants:
            print(f"  {name}: {len(problems.get(name, []))}")
        bad = failures + logged + [f"{k}: {v[:5]}" for k, v in problems.items() if v]
        if not journal.calls:
            bad.append("no request was made")
        for line in bad[:40]:
            print(f"FAIL {line}")
        print("OK" if not bad else f"FAILED ({len(bad)} problems)")
        return 1 if bad else 0
    finally:
        if server is not None:
            server.stop()  # when the run did not get that far
        from django.db import connections

        connections.close_all()
        # Only this run's keys: the cache and the token lists share LOAD_REDIS_PREFIX.
        delete_redis_keys(config.redis_url, f"{config.prefix}:*")
        if not config.keep_database:
            recreate_database(config, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
