"""What N aliased password-reset fields in one document cost: ``python -m bench.aliases``
(``make bench-aliases``), in .venv-bench or .venv.

One POST to graphene-django's stock GraphQLView (RequestFactory, no middleware) carries N
aliases of one field, for N = 1,000 and 5,000 (BENCH_ALIASES, comma-separated):

- ``noop``: the benchmark schema's ``noopValidateResetToken``, same arguments and payload type,
  no work: graphene's own cost for the document (parse, validate, execute, encode). It answers
  an empty errors list; ``noop, THROTTLED answer`` (defined here) answers the THROTTLED error
  a field past the limit answers, so encoding the same answer is in its floor too.
- ``validateResetToken``: the package's field; the first MAX_FIELDS_PER_REQUEST run (and
  count against validate_ip), the rest answer THROTTLED without a cache or database round trip.
- ``validateResetToken, no field limit``: the same with the limit lifted, as before it
  existed: every field counts in the cache and, past validate_ip's 60, answers THROTTLED.

Two selections: ``{ valid }`` and ``{ valid errors { field message code } }`` (the no-op
answers an empty errors list, the throttled fields one error each). Rates are the defaults
(validate_ip 60/hour), the cache is cleared before each run, runs are interleaved, and the
median and the best of BENCH_ALIASES_REPEATS (default 5) runs are printed in CPU seconds, the
best with its ratio to the no-op's best (on a shared machine the best is the steadier figure).

Then what a project's guards in front of the view buy (docs/security.md, "Bounded work per
request"): graphql-core's parse and validate alone for the document, and how long
``parse(..., max_tokens=...)`` takes to refuse it.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SELECTIONS = {"valid": "{ valid }", "valid+errors": "{ valid errors { field message code } }"}
# The token limit a project sets in front of the view in the docs' example.
MAX_TOKENS = 2_000


def document(field: str, count: int, selection: str) -> str:
    aliases = " ".join(f'a{i}: {field}(token: "x{i}") {selection}' for i in range(count))
    return f"query {{ {aliases} }}"


def timed(function: Callable[[], Any]) -> float:
    """CPU seconds ``function`` takes: on a machine shared with other jobs they vary far less
    than wall-clock time (the work is CPU-bound: no I/O but SQLite's few statements)."""
    gc.collect()
    start = time.process_time()
    function()
    return time.process_time() - start


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.benchsite.settings")
    os.environ.setdefault("DB", "sqlite")
    database = Path(tempfile.mkdtemp(prefix="bench-aliases-")) / "db.sqlite3"
    os.environ["BENCH_SQLITE_PATH"] = str(database)
    import django

    django.setup()
    import graphene
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import RequestFactory
    from django.test.utils import override_settings
    from graphene_django.views import GraphQLView
    from graphql import GraphQLError, parse, validate

    from bench.benchsite import schema as bench_schema
    from graphql_passwordreset import mixins
    from graphql_passwordreset.errors import ErrorCode, ErrorDetail
    from graphql_passwordreset.queries import ValidateResetToken
    from graphql_passwordreset.types import email_argument, token_argument

    def noop_throttled(root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> Any:
        return ValidateResetToken(  # type: ignore[call-arg]
            valid=False, errors=[ErrorDetail.of(ErrorCode.THROTTLED, None)]
        )

    class Query(bench_schema.Query):
        noop_throttled_validate_reset_token = graphene.Field(
            ValidateResetToken,
            token=token_argument(),
            email=email_argument(required=False),
            resolver=noop_throttled,
            description="validateResetToken's payload with a THROTTLED error, no work.",
        )

    schema = graphene.Schema(query=Query, mutation=bench_schema.Mutation)

    call_command("migrate", verbosity=0)
    sizes = [int(n) for n in os.environ.get("BENCH_ALIASES", "1000,5000").split(",")]
    repeats = int(os.environ.get("BENCH_ALIASES_REPEATS", "5"))
    view = GraphQLView.as_view(schema=schema)
    factory = RequestFactory()
    limit = mixins.MAX_FIELDS_PER_REQUEST

    def post(body: str, expect_throttled: int) -> Callable[[], None]:
        def run() -> None:
            request = factory.post(
                "/graphql", body, content_type="application/json", REMOTE_ADDR="10.9.0.1"
            )
            response = view(request)
            assert response.status_code == 200, response.content[:300]
            data = json.loads(response.content)["data"]
            throttled = sum(
                1
                for answer in data.values()
                if any(error["code"] == "THROTTLED" for error in answer.get("errors", []))
            )
            assert "errors" not in json.loads(response.content)
            if expect_throttled >= 0 and "errors" in next(iter(data.values())):
                assert throttled == expect_throttled, (throttled, expect_throttled)

        return run

    print(
        f"N aliases in one POST to GraphQLView, CPU s: median and best of {repeats} (best's ratio "
        f"to the no-op's best); MAX_FIELDS_PER_REQUEST = {limit}, validate_ip 60/hour"
    )
    print(f"Python {sys.version.split()[0]}, Django {django.get_version()}")
    with override_settings(GRAPHQL_PASSWORDRESET={}):  # the default RATES
        for label, selection in SELECTIONS.items():
            for count in sizes:
                bodies = {
                    "noop": (
                        json.dumps({"query": document("noopValidateResetToken", count, selection)}),
                        0,
                    ),
                    "noop, THROTTLED answer": (
                        json.dumps(
                            {"query": document("noopThrottledValidateResetToken", count, selection)}
                        ),
                        count,
                    ),
                    "validateResetToken": (
                        json.dumps({"query": document("validateResetToken", count, selection)}),
                        count - limit,
                    ),
                }
                times: dict[str, list[float]] = {
                    "noop": [],
                    "noop, THROTTLED answer": [],
                    "validateResetToken": [],
                    "validateResetToken, no field limit": [],
                }
                for _ in range(repeats):
                    for name in times:
                        body, throttled = bodies[name.removesuffix(", no field limit")]
                        cache.clear()
                        if name.endswith("no field limit"):
                            mixins.MAX_FIELDS_PER_REQUEST = 10**9
                            throttled = count - 60
                        try:
                            times[name].append(timed(post(body, throttled)))
                        finally:
                            mixins.MAX_FIELDS_PER_REQUEST = limit
                floor = min(times["noop"])
                for name, values in times.items():
                    print(
                        f"  {label:13} N={count:>6,}  {name:36} {statistics.median(values):7.3f}"
                        f"  {min(values):7.3f}  {min(values) / floor:5.2f}x"
                    )

        print("\ngraphql-core alone, one run each, CPU s")
        for count in [*sizes, 20_000]:
            query = document("validateResetToken", count, SELECTIONS["valid"])
            parsed = parse(query)
            parse_time = timed(lambda query=query: parse(query))
            validate_time = timed(lambda parsed=parsed: validate(schema.graphql_schema, parsed))

            def refuse(query: str = query) -> None:
                try:
                    parse(query, max_tokens=MAX_TOKENS)
                except GraphQLError:
                    return
                raise AssertionError("not refused")

            refuse_time = timed(refuse)
            print(
                f"  N={count:>6,}  {len(query):>9,} bytes  parse {parse_time:6.3f}  "
                f"validate {validate_time:6.3f}  parse(max_tokens={MAX_TOKENS:,}) refuses in "
                f"{refuse_time * 1000:6.2f} ms"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
