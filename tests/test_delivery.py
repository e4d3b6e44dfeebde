"""DELIVERY: receivers run in the request once its transaction commits (the default), or a
dispatcher takes the whole request off the request path and a worker calls deliver()."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from graphql_passwordreset import delivery, mutations, relay, services
from graphql_passwordreset.contrib import celery as celery_delivery
from graphql_passwordreset.models import ResetPasswordToken
from graphql_passwordreset.signals import reset_password_token_created

from . import dispatchers
from .conftest import CapturedTokens, GraphQLClient, PinnedClock, codes, email_of, token_of
from .silent_server import silent_server

TRANSACTION_CONTROL = re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN)\b")
QUERY = 'mutation { requestPasswordReset(email: "%s") { ok errors { code } } }'


@pytest.fixture
def jobs(configure: Callable[..., None]) -> Iterator[list[dict[str, Any]]]:
    configure(DELIVERY="tests.dispatchers.record")
    dispatchers.jobs.clear()
    yield dispatchers.jobs
    dispatchers.jobs.clear()


@pytest.fixture
def people(make_user: Any) -> dict[str, str]:
    """One address per path a request can take; only "known" may get a token."""
    make_user("known@example.com")
    make_user("inactive@example.com", is_active=False)
    make_user("unusable@example.com", password=None)
    return {
        "known": "known@example.com",
        "unknown": "nobody@example.com",
        "inactive": "inactive@example.com",
        "unusable": "unusable@example.com",
    }


class Abort(Exception):
    """Raised to roll back the project's transaction around a request."""


def post_uncommitted(gql: GraphQLClient, address: str) -> None:
    """POST a request for ``address`` to the plain schema and check it is accepted, leaving
    the work deferred to the commit alone (GraphQLClient would run it at the request's end)."""
    response = gql.client.post(
        gql.path, {"query": QUERY % address}, content_type="application/json"
    )
    assert response.json()["data"]["requestPasswordReset"]["ok"] is True


# --- the default: in the request, after commit ---------------------------------------------


def test_receivers_wait_for_the_commit(
    plain_gql: GraphQLClient, user: Any, captured: CapturedTokens
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        post_uncommitted(plain_gql, email_of(user))
    assert captured.calls == []  # the token exists, but nobody was told yet
    assert token_of(user) is not None
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(captured.calls) == 1
    assert captured.calls[0]["reset_password_token"].user == user


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rolled_back", [True, False])
def test_a_rolled_back_request_announces_nothing(
    plain_gql: GraphQLClient, make_user: Any, captured: CapturedTokens, rolled_back: bool
) -> None:
    """The request runs inside a project's transaction (as under ATOMIC_REQUESTS); when that
    rolls back, no receiver hears of a token that never existed. The control commits."""
    user = make_user()
    with contextlib.suppress(Abort), transaction.atomic():
        post_uncommitted(plain_gql, email_of(user))
        assert captured.calls == []  # not during the request, whatever happens next
        if rolled_back:
            raise Abort
    assert len(captured.calls) == (0 if rolled_back else 1)
    assert (token_of(user) is None) is rolled_back


# --- a dispatcher: nothing about the address on the request path -----------------------------


@pytest.mark.parametrize("path", ["known", "unknown", "inactive", "unusable"])
def test_every_address_gets_the_same_answer_and_one_job_and_no_database_work(
    gql: GraphQLClient,
    people: dict[str, str],
    jobs: list[dict[str, Any]],
    captured: CapturedTokens,
    path: str,
) -> None:
    with CaptureQueriesContext(connection) as queries:
        result = gql.request_reset(people[path], HTTP_USER_AGENT="agent/1.0")
    # ATOMIC_REQUESTS (the custom-user settings) wraps the view in a savepoint: no data work.
    assert [q["sql"] for q in queries if not TRANSACTION_CONTROL.match(q["sql"])] == []
    assert result == {"ok": True, "errors": []} | (
        {"clientMutationId": "cid-1"} if gql.relay else {}
    )
    assert ResetPasswordToken.objects.count() == 0
    assert captured.calls == []
    assert len(jobs) == 1
    job = jobs[0]
    assert json.loads(json.dumps(job)) == job  # any broker can carry it
    assert job["address"] == people[path]
    assert job["user_agent"] == "agent/1.0"
    assert job["ip_address"] == "127.0.0.1"
    assert set(job) == {
        "address",
        "reset_url",
        "ip_address",
        "user_agent",
        "language",
        "sender",
        "version",
    }


def test_the_dispatcher_is_handed_the_job_once_the_request_commits(
    plain_gql: GraphQLClient, user: Any, jobs: list[dict[str, Any]]
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        post_uncommitted(plain_gql, email_of(user))
    assert jobs == []  # answered, but nothing handed over yet
    assert len(callbacks) == 1
    callbacks[0]()
    assert [job["address"] for job in jobs] == [email_of(user)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rolled_back", [True, False])
def test_a_rolled_back_request_dispatches_nothing(
    plain_gql: GraphQLClient, make_user: Any, jobs: list[dict[str, Any]], rolled_back: bool
) -> None:
    """As with receivers in the request: a request whose transaction rolls back hands no job to
    the dispatcher, so no worker sends a link for it. The control commits."""
    user = make_user()
    with contextlib.suppress(Abort), transaction.atomic():
        post_uncommitted(plain_gql, email_of(user))
        assert jobs == []
        if rolled_back:
            raise Abort
    assert len(jobs) == (0 if rolled_back else 1)
    assert not ResetPasswordToken.objects.exists()  # the worker's to create


@pytest.mark.parametrize("link_from", ["RESET_URL", "redirectUrl"])
def test_the_worker_creates_the_token_and_tells_the_receivers(
    gql: GraphQLClient,
    people: dict[str, str],
    jobs: list[dict[str, Any]],
    captured: CapturedTokens,
    configure: Callable[..., None],
    link_from: str,
) -> None:
    if link_from == "RESET_URL":
        configure(RESET_URL="https://app.example.com/reset")
        redirect_url = None
    else:
        configure(ALLOWED_REDIRECT_HOSTS=["app.example.com"])
        redirect_url = "https://app.example.com/reset"
    gql.request_reset(people["known"], redirect_url, HTTP_USER_AGENT="agent/1.0")
    assert services.deliver(jobs[0]) == 1

    (call,) = captured.calls
    token = call["reset_password_token"]
    assert ResetPasswordToken.objects.get().pk == token.pk
    assert email_of(token.user) == people["known"]
    assert token.user_agent == "agent/1.0" and token.ip_address == "127.0.0.1"
    assert call["request"] is None and call["instance"].request is None
    assert call["reset_url"] == f"https://app.example.com/reset?token={token.key}"
    expected_sender = relay.RequestPasswordReset if gql.relay else mutations.RequestPasswordReset
    assert call["sender"] is expected_sender
    assert gql.validate(token.key)["valid"] is True


@pytest.mark.parametrize("path", ["unknown", "inactive", "unusable"])
def test_the_worker_sends_nothing_for_an_ineligible_address(
    gql: GraphQLClient,
    people: dict[str, str],
    jobs: list[dict[str, Any]],
    captured: CapturedTokens,
    path: str,
) -> None:
    gql.request_reset(people[path])
    assert services.deliver(jobs[0]) == 0
    assert captured.calls == []
    assert ResetPasswordToken.objects.count() == 0


def test_the_worker_speaks_the_requests_language(
    plain_gql: GraphQLClient, user: Any, jobs: list[dict[str, Any]]
) -> None:
    languages: list[str | None] = []

    def note_language(**kwargs: Any) -> None:
        languages.append(translation.get_language())

    plain_gql.request_reset(email_of(user), HTTP_ACCEPT_LANGUAGE="de")
    assert jobs[0]["language"] == "de"
    reset_password_token_created.connect(note_language, dispatch_uid="tests-language")
    try:
        with translation.override("en"):
            services.deliver(jobs[0])
            assert translation.get_language() == "en"
    finally:
        reset_password_token_created.disconnect(dispatch_uid="tests-language")
    assert languages == ["de"]


def test_a_failing_dispatcher_is_logged_and_the_answer_is_unchanged(
    gql: GraphQLClient,
    user: Any,
    configure: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure(DELIVERY="tests.dispatchers.broken")
    with caplog.at_level(logging.ERROR, logger="graphql_passwordreset"):
        result = gql.request_reset(email_of(user))
    assert result["ok"] is True and result["errors"] == []
    (record,) = caplog.records
    message = record.getMessage()
    assert "tests.dispatchers.broken" in message
    assert "is lost" in message
    # The address only as its digest, and the operation that asked.
    assert email_of(user) not in message
    assert delivery.address_digest(email_of(user)) in message
    expected_sender = relay.RequestPasswordReset if gql.relay else mutations.RequestPasswordReset
    assert f"{expected_sender.__module__}.{expected_sender.__qualname__}" in message
    assert record.exc_info and record.exc_info[0] is ConnectionError


def test_with_information_leakage_on_unknown_addresses_are_told_before_dispatch(
    gql: GraphQLClient,
    people: dict[str, str],
    jobs: list[dict[str, Any]],
    configure: Callable[..., None],
) -> None:
    configure(NO_INFORMATION_LEAKAGE=False)
    for path in ("unknown", "inactive", "unusable"):
        assert codes(gql.request_reset(people[path])["errors"]) == [("email", "USER_NOT_FOUND")]
    assert jobs == []
    assert gql.request_reset(people["known"])["ok"] is True
    assert len(jobs) == 1


@pytest.mark.parametrize(
    ("rates", "address", "redirect_url", "refusal"),
    [
        pytest.param({}, "not an address", None, ("email", "INVALID_EMAIL"), id="invalid-email"),
        pytest.param(
            {},
            "known@example.com",
            "https://evil.example/reset",
            ("redirectUrl", "INVALID_REDIRECT_URL"),
            id="redirect-url-not-allowed",
        ),
        pytest.param(
            {"request_address": "1/hour"},
            "known@example.com",
            None,
            (None, "THROTTLED"),
            id="throttled-address",
        ),
        pytest.param(
            {"request_ip": "1/hour"},
            "nobody@example.com",
            None,
            (None, "THROTTLED"),
            id="throttled-client",
        ),
    ],
)
def test_refused_input_dispatches_nothing(
    gql: GraphQLClient,
    people: dict[str, str],
    jobs: list[dict[str, Any]],
    configure: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    rates: dict[str, str],
    address: str,
    redirect_url: str | None,
    refusal: tuple[str | None, str],
) -> None:
    """The dispatcher gets only what the answer accepts: a refused address or redirect URL, or
    a request over a limit (after one that was within it), hands no job over."""
    monkeypatch.setattr("graphql_passwordreset.throttling.time", PinnedClock())
    configure(RATES=rates)
    if rates:
        assert gql.request_reset(people["known"])["ok"] is True
        assert len(jobs) == 1
        jobs.clear()
    assert codes(gql.request_reset(address, redirect_url)["errors"]) == [refusal]
    assert jobs == []


# --- jobs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [None, [], {}, {"address": 5}, "known@example.com"])
def test_a_malformed_job_is_refused(data: Any) -> None:
    with pytest.raises(ValueError, match="Not a password reset job"):
        services.deliver(data)


def test_a_job_from_a_newer_sender_keeps_working(
    user: Any, captured: CapturedTokens, caplog: pytest.LogCaptureFixture
) -> None:
    job = {
        "address": email_of(user),
        "reset_url": None,
        "ip_address": None,
        "user_agent": "",
        "language": None,
        "sender": "graphql_passwordreset.no_such.Operation",
        "version": 2,
        "priority": "high",
    }
    with caplog.at_level(logging.WARNING, logger="graphql_passwordreset"):
        assert services.deliver(job) == 1
    assert captured.calls[0]["sender"] is None
    assert captured.calls[0]["reset_url"] is None
    assert "cannot be imported" in caplog.text


# --- the Celery integration, run eagerly (tests/integration runs a real worker) -------------------


@pytest.fixture
def eager_celery() -> Iterator[None]:
    from celery import Celery

    app = Celery("tests-eager", set_as_current=True)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.close()


def test_the_celery_dispatcher_runs_the_task(
    gql: GraphQLClient,
    user: Any,
    captured: CapturedTokens,
    configure: Callable[..., None],
    eager_celery: None,
) -> None:
    configure(DELIVERY="graphql_passwordreset.contrib.celery.dispatch")
    assert gql.request_reset(email_of(user))["ok"] is True
    (call,) = captured.calls
    assert call["reset_password_token"].user == user
    assert celery_delivery.deliver_password_reset.name == celery_delivery.TASK_NAME


@pytest.fixture(params=["redis", "amqp"])
def silent_broker(request: pytest.FixtureRequest) -> Iterator[None]:
    """The current Celery app's broker accepts connections and never answers (a Redis or a
    RabbitMQ that is paused), as a project's app configured with that broker URL."""
    from celery import Celery

    with silent_server() as (host, port):
        url = (
            f"redis://{host}:{port}/0"
            if request.param == "redis"
            else f"amqp://guest:guest@{host}:{port}//"
        )
        app = Celery("tests-silent-broker", broker=url, set_as_current=True)
        yield
        app.close()


def test_a_silent_broker_answers_in_time_and_the_job_is_logged_as_lost(
    gql: GraphQLClient,
    user: Any,
    configure: Callable[..., None],
    silent_broker: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The publish gives up within its bound (without one it waits until the server drops the
    connection, after 5 s), and the lost job is logged without the address."""
    configure(DELIVERY="graphql_passwordreset.contrib.celery.dispatch")
    for _ in range(2):  # and again, on the connection pool the first request left behind
        caplog.clear()
        started = time.monotonic()
        with caplog.at_level(logging.ERROR, logger="graphql_passwordreset"):
            result = gql.request_reset(email_of(user))
        elapsed = time.monotonic() - started
        assert result["ok"] is True and result["errors"] == []
        assert elapsed < 2, f"the request took {elapsed:.1f} s"
        (record,) = [r for r in caplog.records if r.name == "graphql_passwordreset"]
        assert record.levelno == logging.ERROR
        assert "is lost" in record.getMessage()
        assert delivery.address_digest(email_of(user)) in record.getMessage()
        assert email_of(user) not in record.getMessage()
