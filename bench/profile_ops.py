"""Where an operation's time goes: ``python -m bench.profile_ops`` (``make bench-profile``).

Two views of the same operations, on a fresh database of the benchmark project:

1. Parts timed on their own, without a profiler (median of repeats): graphene's parse and
   validate of the document, graphql-core's execute with the service inside it, our service
   called directly, its throttle, the SQL alone, and the whole request through the test
   client, for GraphQLView and its no-op field of the same shape, DRF and its one-field
   APIView, and the floor view.
2. cProfile of each whole request, summarised into the layers it passes through (cumulative
   time of one function per layer, per operation; the profiler inflates small calls).

Environment: DB, HASHER and THROTTLES as for bench/run.py; BENCH_PROFILE_OPS (default 300).
"""

from __future__ import annotations

import cProfile
import gc
import itertools
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# (layer, file suffix, function name) whose cumulative time is that layer's.
LAYERS = [
    ("view incl. view middleware", "django/core/handlers/base.py", "_get_response"),
    ("  CsrfViewMiddleware.process_response", "django/middleware/csrf.py", "process_response"),
    ("  csrf get_token (ensure_csrf_cookie)", "django/middleware/csrf.py", "get_token"),
    ("  GraphQLView.dispatch", "graphene_django/views.py", "dispatch"),
    ("    parse", "graphql/language/parser.py", "parse"),
    ("    validate", "graphql/validation/validate.py", "validate"),
    ("    execute", "graphql/execution/execute.py", "execute"),
    (
        "      service: request_password_reset",
        "graphql_passwordreset/services.py",
        "request_password_reset",
    ),
    (
        "      service: validate_reset_token",
        "graphql_passwordreset/services.py",
        "validate_reset_token",
    ),
    (
        "      service: confirm_password_reset",
        "graphql_passwordreset/services.py",
        "confirm_password_reset",
    ),
    ("        throttled()", "graphql_passwordreset/throttling.py", "throttled"),
    (
        "        validate_password",
        "django/contrib/auth/password_validation.py",
        "validate_password",
    ),
    ("        set_password (hasher)", "django/contrib/auth/base_user.py", "set_password"),
    ("    json_encode", "graphene_django/views.py", "json_encode"),
    ("  DRF APIView.dispatch", "rest_framework/views.py", "dispatch"),
    ("    initial (negotiation, throttles)", "rest_framework/views.py", "initial"),
    ("    serializer is_valid", "rest_framework/serializers.py", "is_valid"),
    (
        "    get_password_validators",
        "django/contrib/auth/password_validation.py",
        "get_password_validators",
    ),
    ("    finalize_response", "rest_framework/views.py", "finalize_response"),
    ("    render", "rest_framework/response.py", "rendered_content"),
    ("  SQL (all cursor.execute)", "django/db/backends/utils.py", "_execute_with_wrappers"),
]


# Where a function's own time (tottime) is booked: the first bucket whose marker its file (or,
# for built-ins, its name) contains.
BUCKETS = [
    ("graphql_passwordreset (this package)", ("graphql_passwordreset/",)),
    ("django-rest-passwordreset", ("django_rest_passwordreset/",)),
    ("Django REST framework", ("rest_framework/",)),
    ("graphene-django", ("graphene_django/",)),
    ("graphene", ("graphene/",)),
    ("graphql-core: parse", ("graphql/language/",)),
    ("graphql-core: validate", ("graphql/validation/", "graphql/utilities/type_info")),
    ("graphql-core: execute, other", ("graphql/",)),
    (
        "Django ORM: SQL compiler, query building",
        (
            "django/db/models/sql/",
            "django/db/models/expressions",
            "django/db/models/lookups",
            "django/db/models/query_utils",
        ),
    ),
    ("Django ORM: querysets, model instances", ("django/db/models/",)),
    (
        "database driver, SQL execution",
        ("django/db/backends/", "sqlite3", "psycopg", "django/db/utils", "django/db/transaction"),
    ),
    ("password hashing", ("hashers.py", "hashlib", "pbkdf2")),
    ("password validators", ("password_validation",)),
    (
        "Django middleware, sessions, CSRF",
        (
            "django/middleware/",
            "django/contrib/sessions/",
            "django/contrib/auth/middleware",
            "django/views/decorators/",
        ),
    ),
    ("test client", ("django/test/",)),
    ("Django: handler, request, response, URLs, signals", ("django/",)),
    ("json", ("json/", "_json")),
    ("Python: other", ("",)),
]


def buckets(profile: cProfile.Profile, operations: int) -> list[tuple[str, float]]:
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    totals = dict.fromkeys((name for name, _ in BUCKETS), 0.0)
    for (filename, _line, function), entry in stats.items():
        where = function if filename == "~" else filename
        for name, markers in BUCKETS:
            if any(marker in where for marker in markers):
                totals[name] += entry[2]
                break
    return [(name, seconds / operations) for name, seconds in totals.items() if seconds]


def median_seconds(function: Callable[[], Any], repeat: int) -> float:
    """Median time of one call over ``repeat`` calls (one warm-up first)."""
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def layers(profile: cProfile.Profile, operations: int) -> list[tuple[str, float]]:
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found = []
    for label, suffix, name in LAYERS:
        total = sum(
            entry[3]
            for (filename, _line, function), entry in stats.items()
            if function == name and filename.endswith(suffix)
        )
        if total:
            found.append((label, total / operations))
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.benchsite.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.password_validation import get_password_validators, validate_password
    from django.middleware.csrf import get_token
    from django.test import RequestFactory
    from django_rest_passwordreset import views as rest_views
    from django_rest_passwordreset.models import ResetPasswordToken as RestToken
    from graphql import execute, parse, validate

    from bench import databases, workload
    from bench.benchsite.schema import schema
    from graphql_passwordreset import services, throttling
    from graphql_passwordreset.models import ResetPasswordToken as OurToken
    from graphql_passwordreset.users import matching_users

    operations = int(os.environ.get("BENCH_PROFILE_OPS", "300"))
    db = os.environ.get("DB", "sqlite")
    databases.fresh("profile", f"profile-{db}")
    http = workload.client()
    variants = {v.name: v for v in workload.variants(max(operations, 50))}

    lines = [f"Profile: DB={db}, HASHER={os.environ.get('HASHER', 'md5')}, {operations} ops\n"]

    # 1. Parts on their own.
    graphql_schema = schema.graphql_schema
    factory = RequestFactory()
    request = factory.post("/graphql", REMOTE_ADDR="10.9.0.1")
    users = workload.ensure_users(["bench-profile@example.com"])
    key = workload.make_our_tokens(users)[0]
    rest_key = workload.make_rest_tokens(users)[0]

    def fresh_addresses(name: str) -> Iterator[str]:
        """Addresses of users without a token, one per call of a request part (501 calls)."""
        emails = workload.pool_emails(f"profile-{name}", 501)
        pool = workload.ensure_users(emails)
        OurToken.objects.filter(user__in=pool).delete()
        RestToken.objects.filter(user__in=pool).delete()
        return iter(emails)

    service_addresses = fresh_addresses("service")
    create_addresses = fresh_addresses("create")
    rest_addresses = fresh_addresses("rest")
    lookup_addresses = itertools.cycle(workload.pool_emails("profile-service", 501))
    document = parse(workload.VALIDATE_DOCUMENT)
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("parse(validate document)", lambda: parse(workload.VALIDATE_DOCUMENT)),
        ("validate(schema, validate document)", lambda: validate(graphql_schema, document)),
        ("parse(request document)", lambda: parse(workload.REQUEST_DOCUMENT)),
        ("parse(confirm document)", lambda: parse(workload.CONFIRM_DOCUMENT)),
        (
            "execute(validate document), service inside",
            lambda: execute(
                graphql_schema, document, context_value=request, variable_values={"token": key}
            ),
        ),
        ("services.validate_reset_token()", lambda: services.validate_reset_token(request, key)),
        ("throttling.throttled()", lambda: throttling.throttled("validate_ip", "10.9.0.1")),
        (
            "our SELECT alone (select_related + find)",
            lambda: OurToken.objects.select_related("user").find(key),
        ),
        ("REST's SELECT alone (get(key=...))", lambda: RestToken.objects.get(key=rest_key)),
        ("csrf get_token() on a new request", lambda: get_token(factory.post("/graphql"))),
        (
            "services.request_password_reset(), known address",
            lambda: services.request_password_reset(request, next(service_addresses)),
        ),
        (
            "services.create_tokens() alone",
            lambda: services.create_tokens(next(create_addresses), None, ""),
        ),
        (
            "users.matching_users() alone",
            lambda: matching_users(next(lookup_addresses)),
        ),
        ("REST: clear_expired_tokens()", rest_views.clear_expired_tokens),
        (
            "REST: generate_token_for_email()",
            lambda: rest_views.generate_token_for_email(next(rest_addresses), "", "10.9.0.1"),
        ),
        (
            "REST: get_password_validators() (per confirm)",
            lambda: get_password_validators(settings.AUTH_PASSWORD_VALIDATORS),
        ),
        (
            "validate_password() with the cached validators",
            lambda: validate_password(workload.NEW_PASSWORD, users[0]),
        ),
        ("user.set_password() (hasher)", lambda: users[0].set_password(workload.NEW_PASSWORD)),
    ]
    for name in (
        "graphql.validate",
        "noop.validate",
        "rest.validate",
        "restfloor.validate",
        "floor.validate",
    ):
        body = variants[name].prepare(1).bodies[0]
        calls.append(
            (
                f"whole request: {name}",
                lambda path=variants[name].path, body=body: http.post(
                    path, body, content_type="application/json", REMOTE_ADDR="10.9.0.2"
                ),
            )
        )
    parts = [(label, median_seconds(call, 500)) for label, call in calls]
    lines.append("Parts timed alone (median, µs per call):\n")
    lines += [f"  {label:45} {seconds * 1e6:9.1f}" for label, seconds in parts]

    # 2. cProfile per variant.
    for name in sorted(variants):
        variant = variants[name]
        if variant.direct is not None:
            continue
        workload.run_batch(variant, http, variant.prepare(3).bodies)
        prepared = variant.prepare(operations)
        gc.collect()
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        responses = workload.run_batch(variant, http, prepared.bodies)
        profile.disable()
        elapsed = time.perf_counter() - started
        prepared.check(responses)
        lines.append(f"\n{name}: {elapsed / operations * 1e6:.0f} µs per op under the profiler")
        lines.append("  own time by package:")
        for label, seconds in buckets(profile, operations):
            lines.append(f"    {label:50} {seconds * 1e6:8.1f} µs")
        lines.append("  cumulative time of the layers:")
        for label, seconds in layers(profile, operations):
            lines.append(f"    {label:50} {seconds * 1e6:8.1f} µs")
        if os.environ.get("BENCH_PROFILE_TOP"):
            stats = pstats.Stats(profile)
            stats.sort_stats("tottime").print_stats(int(os.environ["BENCH_PROFILE_TOP"]))
    text = "\n".join(lines)
    print(text)
    out = databases.DATA_DIR / f"profile-{db}.txt"
    out.write_text(text + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
