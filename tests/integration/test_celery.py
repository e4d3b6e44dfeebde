"""Delivery from a real Celery worker (DELIVERY = graphql_passwordreset.contrib.celery.dispatch).

The tests start a worker process (``celery -A tests.integration.celery_app worker``) on a queue of
their own, on Redis; it shares the test database (a file) with pytest and writes its e-mail to
files. A test requests a reset over HTTP, finds that the web process neither sent the signal nor
touched the database, reads the link from the worker's e-mail, and sets the password with it.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from graphql_passwordreset.contrib.celery import TASK_NAME
from graphql_passwordreset.models import ResetPasswordToken
from tests.conftest import NEW_PASSWORD, PASSWORD, CapturedTokens, GraphQLClient, assert_no_leak

from . import celery_app
from .processes import Service, delete_queue, free_port, python, start, wait_for
from .receivers import FAILING_DOMAIN, FAILURE_MESSAGE, SIGNALS_FILE

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DISPATCHER = "graphql_passwordreset.contrib.celery.dispatch"
WAIT_SECONDS = 60
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # Django's file backend ends each message with it
LINK = re.compile(r"https://app\.example\.com/reset-password/\?token=(\S+)")
FINISHED = re.compile(rf"Task {re.escape(TASK_NAME)}\[[^\]]+\] (succeeded|raised)")
OK = {"ok": True, "errors": []}
# One task at a time, in the worker's own process: jobs finish in the order they were sent.
WORKER_ARGUMENTS = [
    *("-m", "celery", "-A", "tests.integration.celery_app", "worker"),
    *("--pool=solo", "--concurrency=1", "--loglevel=INFO"),
    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
]


@dataclass
class Worker:
    """The worker process, what it logged, and the e-mail it sent."""

    service: Service
    mail_dir: Path

    def finished(self) -> int:
        """How many reset jobs the worker has finished (successfully or not)."""
        return len(FINISHED.findall(self.service.output()))

    def wait_until_finished(self, count: int) -> None:
        wait_for(
            self.service,
            lambda: self.finished() >= count,
            f"{count} finished reset jobs",
            WAIT_SECONDS,
        )

    def mails(self) -> list[email.message.EmailMessage]:
        """Every complete message in the mail folder (in no particular order: the file names
        do not sort by time)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            # Only the parts followed by a separator: a file being written ends without one.
            for part in path.read_bytes().split(MAIL_SEPARATOR)[:-1]:
                message = email.message_from_bytes(part, policy=email.policy.default)
                assert isinstance(message, email.message.EmailMessage)
                messages.append(message)
        return messages

    def wait_for_mail(self, to: str) -> email.message.EmailMessage:
        def sent() -> list[email.message.EmailMessage]:
            return [mail for mail in self.mails() if mail["To"] == to]

        wait_for(self.service, lambda: bool(sent()), f"e-mail to {to}", WAIT_SECONDS)
        (mail,) = sent()
        return mail

    def signals(self) -> list[dict[str, Any]]:
        path = self.mail_dir / SIGNALS_FILE
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """A Celery worker on this run's queue, stopped (and its queue deleted) at the end."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    mail_dir = tmp_path_factory.mktemp("mail")
    service = start(
        "celery worker",
        python(*WORKER_ARGUMENTS, f"--queues={queue}", f"--hostname={queue}@%h"),
        tmp_path_factory.mktemp("logs") / "worker.log",
        DJANGO_SETTINGS_MODULE="tests.integration.worker_settings",
        SERVICES_MAIL_DIR=str(mail_dir),
    )
    try:
        wait_for(service, lambda: " ready." in service.output(), "ready message", WAIT_SECONDS)
        yield Worker(service, mail_dir)
    finally:
        service.stop()
        delete_queue(settings.CELERY_BROKER_URL, queue)


@pytest.fixture(autouse=True)
def _celery_delivery(configure: Any) -> Iterator[None]:
    """Dispatch through the Celery integration, with the tests' Celery app as current app
    (as a project makes its app current by importing it in its package's __init__)."""
    configure(DELIVERY=DISPATCHER)
    celery_app.app.set_current()
    yield


def reset_link_key(mail: email.message.EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    match = LINK.search(body.get_content())
    assert match, body.get_content()
    return unquote(match.group(1))


def log_in(gql: GraphQLClient, username: str, password: str) -> str | None:
    """Sign in over GraphQL (django-graphql-jwt's tokenAuth); the signed-in username, or None
    when the credentials are refused."""
    response = gql.post(
        "mutation($u: String!, $p: String!) { tokenAuth(username: $u, password: $p) { token } }",
        {"u": username, "p": password},
    )
    body = response.json()
    if body.get("errors"):
        return None
    jwt = body["data"]["tokenAuth"]["token"]
    viewer = gql.execute("query { viewer }", HTTP_AUTHORIZATION=f"JWT {jwt}")
    return viewer["viewer"]  # type: ignore[no-any-return]


def test_the_worker_delivers_and_the_link_resets_the_password(
    worker: Worker, make_user: Any, plain_gql: GraphQLClient, captured: CapturedTokens
) -> None:
    user = make_user("carol@example.com", username="carol")
    done = worker.finished()

    with CaptureQueriesContext(connection) as queries:
        assert plain_gql.request_reset("carol@example.com") == OK
    # Answered without the signal in this process and without a database query: the lookup,
    # the token and the receivers are the worker's.
    assert captured.calls == []
    assert [query["sql"] for query in queries.captured_queries] == []

    mail = worker.wait_for_mail("carol@example.com")
    worker.wait_until_finished(done + 1)
    key = reset_link_key(mail)
    (signal,) = worker.signals()[-1:]
    assert signal == {
        "pid": worker.service.process.pid,
        "sender": "graphql_passwordreset.mutations.RequestPasswordReset",
        "user_pk": str(user.pk),
        "email": "carol@example.com",
        "has_key": True,
        "request_is_none": True,
        "instance_request_is_none": True,
        "reset_url": f"https://app.example.com/reset-password/?{urlencode({'token': key})}",
        "language": "en",
    }
    assert ResetPasswordToken.objects.filter(user_id=user.pk).count() == 1

    assert plain_gql.validate(key)["valid"] is True
    assert plain_gql.confirm(key) == {"ok": True, "errors": [], "token": None, "refreshToken": None}
    assert log_in(plain_gql, "carol", NEW_PASSWORD) == "carol"
    assert log_in(plain_gql, "carol", PASSWORD) is None
    assert not ResetPasswordToken.objects.exists()


def test_the_mail_is_in_the_language_of_the_request(
    worker: Worker, make_user: Any, plain_gql: GraphQLClient
) -> None:
    make_user("dirk@example.com")
    assert plain_gql.request_reset("dirk@example.com", HTTP_ACCEPT_LANGUAGE="de") == OK
    mail = worker.wait_for_mail("dirk@example.com")
    assert mail["Subject"] == "Passwort zurücksetzen"
    [dirk] = [signal for signal in worker.signals() if signal["email"] == "dirk@example.com"]
    assert dirk["language"] == "de"


def test_no_mail_and_no_token_for_an_address_without_an_eligible_user(
    worker: Worker, make_user: Any, plain_gql: GraphQLClient, captured: CapturedTokens
) -> None:
    known = make_user("erin@example.com")
    make_user("inactive@example.com", is_active=False)
    make_user("unusable@example.com", password=None)
    done, mailed = worker.finished(), Counter(mail["To"] for mail in worker.mails())

    for address in ("nobody@example.com", "inactive@example.com", "unusable@example.com"):
        with CaptureQueriesContext(connection) as queries:
            assert plain_gql.request_reset(address) == OK
        assert queries.captured_queries == []
    # The worker takes jobs in order, one at a time: once the known address's mail is there
    # and its job finished, the three before it are done too.
    assert plain_gql.request_reset("erin@example.com") == OK
    worker.wait_for_mail("erin@example.com")
    worker.wait_until_finished(done + 4)

    assert Counter(mail["To"] for mail in worker.mails()) - mailed == {"erin@example.com": 1}
    assert list(ResetPasswordToken.objects.values_list("user_id", flat=True)) == [known.pk]
    assert captured.calls == []


def test_a_failing_receiver_in_the_worker_is_logged_and_changes_no_answer(
    worker: Worker, make_user: Any, plain_gql: GraphQLClient
) -> None:
    address = f"frank{FAILING_DOMAIN}"
    make_user(address)
    done = worker.finished()
    assert plain_gql.request_reset(address) == plain_gql.request_reset("nobody@example.com") == OK
    # The other receivers still ran (the mail went out), and the failure is in the worker's log.
    worker.wait_for_mail(address)
    worker.wait_until_finished(done + 2)
    log = worker.service.output()
    assert "A reset_password_token_created receiver" in log
    assert f"RuntimeError: {FAILURE_MESSAGE}" in log
    assert re.search(rf"Task {re.escape(TASK_NAME)}\[[^\]]+\] succeeded", log)


@pytest.fixture
def closed_broker() -> Iterator[Celery]:
    """The Celery app's broker is a port nothing listens on, as when Redis is down."""
    app = Celery("broker-down", broker=f"redis://127.0.0.1:{free_port()}/4", set_as_current=False)
    app.set_current()
    yield app
    celery_app.app.set_current()
    app.close()


def test_a_broker_that_is_down_changes_no_answer_and_is_logged(
    worker: Worker,
    closed_broker: Celery,
    make_user: Any,
    plain_gql: GraphQLClient,
    captured: CapturedTokens,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make_user("gina@example.com")
    done = worker.finished()
    answers = {}
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="graphql_passwordreset"):
        for address in ("gina@example.com", "nobody@example.com"):
            response = plain_gql.post(
                "mutation($e: String!) { requestPasswordReset(email: $e) { ok errors { code } } }",
                {"e": address},
            )
            answers[address] = assert_no_leak(response)
    elapsed = time.monotonic() - started

    assert answers["gina@example.com"] == answers["nobody@example.com"]
    assert answers["gina@example.com"] == {"data": {"requestPasswordReset": OK}}
    failures = [r for r in caplog.records if "dispatcher" in r.getMessage() and r.exc_info]
    assert len(failures) == 2, caplog.text
    assert DISPATCHER in failures[0].getMessage()
    assert captured.calls == []
    assert not ResetPasswordToken.objects.exists()
    assert worker.finished() == done
    # Publishing gives up after a few quick retries rather than holding the request.
    assert elapsed < 20, elapsed
