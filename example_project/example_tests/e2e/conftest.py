"""The live example project for the end-to-end tests: a real server process, its mail folder,
accounts, and Debian's Chromium driven by Playwright.

The server is the one ``make run`` starts (runserver, the example's settings, e-mails printed
and saved as .eml files), on a fresh SQLite file and a free port of 127.0.0.1:8100-8199, once
per session. Screenshots and the server's log go to E2E_ARTIFACTS (default .ci/artifacts/e2e).
"""

from __future__ import annotations

import email
import json
import os
import random
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from tests.strict_python import strict_python

REPO = Path(__file__).resolve().parents[3]
EXAMPLE_DIR = REPO / "example_project"
PORTS = range(8100, 8200)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO = {"username": "demo", "email": "demo@example.com", "password": "demo-Passw0rd"}


def free_port(taken: Collection[int] = ()) -> int:
    """A port of 8100-8199 nothing listens on, tried from a random start (two runs at once
    are unlikely to collide)."""
    start = random.randrange(len(PORTS))
    for offset in range(len(PORTS)):
        port = PORTS[(start + offset) % len(PORTS)]
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 127.0.0.1:8100-8199")


def example_env(**extra: str) -> dict[str, str]:
    # pytest-django exported the suite's settings module; the example needs its own.
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "example_project.settings", **extra}


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py <args>`` of the example, warnings as errors; return its output."""
    result = subprocess.run(
        strict_python("manage.py", *args),
        cwd=EXAMPLE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@dataclass
class ReceivedMail:
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return str(self.message.get_body(("plain",)).get_content())

    @property
    def html(self) -> str:
        return str(self.message.get_body(("html",)).get_content())

    @property
    def reset_link(self) -> str:
        """The link of the text part, checked to be the one the HTML part's button opens."""
        match = re.search(r"https?://\S+[?&]token=[A-Za-z0-9]+", self.text)
        assert match, self.text
        assert f'href="{match.group(0)}"' in self.html
        return match.group(0)


@dataclass
class Mailbox:
    """The server's mail folder, read the way a person would: the next new message."""

    folder: Path
    seen: set[Path] = field(default_factory=set)

    def files(self) -> set[Path]:
        return set(self.folder.glob("*.eml")) if self.folder.exists() else set()

    def expect(self, to: str, timeout: float = 15) -> ReceivedMail:
        """The first new message to ``to``; fail after ``timeout`` seconds without one."""
        deadline = time.monotonic() + timeout
        while True:
            for path in sorted(self.files() - self.seen):
                self.seen.add(path)
                mail = ReceivedMail(
                    email.message_from_bytes(path.read_bytes(), policy=policy.default)
                )
                if mail.to == to:
                    return mail
            assert time.monotonic() < deadline, f"no e-mail to {to} within {timeout} s"
            time.sleep(0.1)


@dataclass
class ExampleServer:
    base_url: str
    env: dict[str, str]
    mailbox: Mailbox
    usernames: Iterator[int] = field(default_factory=lambda: iter(range(1, 1000)))

    def url(self, path: str) -> str:
        return self.base_url + path

    def create_account(self, password: str = "Original-Passw0rd!") -> dict[str, str]:
        """A new active user with a usable password, as a sign-up form would make it."""
        number = next(self.usernames)
        account = {
            "username": f"user{number}",
            "email": f"user{number}@example.com",
            "password": password,
        }
        env = {**self.env, **{f"NEW_{key.upper()}": value for key, value in account.items()}}
        manage(
            env,
            "shell",
            "-c",
            "import os; from django.contrib.auth import get_user_model; "
            "get_user_model().objects.create_user("
            "os.environ['NEW_USERNAME'], os.environ['NEW_EMAIL'], os.environ['NEW_PASSWORD'])",
        )
        return account


def wait_until_serving(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the example server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the example server did not answer {url}:\n{log.read_text()}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots and the server's log go; emptied of old screenshots first."""
    folder = Path(os.environ.get("E2E_ARTIFACTS") or REPO / ".ci" / "artifacts" / "e2e")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@contextmanager
def running_example(workdir: Path, log: Path, **settings: str) -> Iterator[ExampleServer]:
    """The example served by runserver on a free port, on a fresh database in ``workdir``,
    with the demo user; ``settings`` are more EXAMPLE_* environment variables."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = example_env(
        EXAMPLE_DB_PATH=str(workdir / "db.sqlite3"),
        EXAMPLE_MAIL_DIR=str(workdir / "sent_emails"),
        EXAMPLE_BASE_URL=base_url,
        PYTHONUNBUFFERED="1",
        **settings,
    )
    manage(env, "migrate", "--noinput")
    manage(env, "create_demo_user")
    with log.open("wb") as output:
        process = subprocess.Popen(
            strict_python("manage.py", "runserver", f"127.0.0.1:{port}") + ["--noreload"],
            cwd=EXAMPLE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(process, base_url + "/", log)
        yield ExampleServer(base_url, env, Mailbox(workdir / "sent_emails"))
    finally:
        stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def example_server(
    tmp_path_factory: pytest.TempPathFactory, artifacts: Path
) -> Iterator[ExampleServer]:
    """The example as ``make run`` serves it: e-mails printed and saved in the mail folder."""
    workdir = tmp_path_factory.mktemp("example-server")
    log = workdir / "server.log"
    try:
        with running_example(workdir, log, EXAMPLE_EMAIL="console") as server:
            yield server
    finally:
        if log.exists():
            shutil.copyfile(log, artifacts / "server.log")


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never a downloaded one)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


@dataclass
class Screenshots:
    """Numbered screenshots of one test's steps, in the artefacts folder."""

    page: Any
    folder: Path
    prefix: str
    count: int = 0

    def take(self, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count:02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest, artifacts: Path) -> Iterator[Any]:
    """A fresh browser context (no storage, no cookies) and its page; on failure, a
    screenshot of where the test stopped."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    if request.node.stash.get(CALL_FAILED, False):
        tab.screenshot(path=artifacts / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshots(page: Any, request: pytest.FixtureRequest, artifacts: Path) -> Screenshots:
    name = request.node.name.removeprefix("test_")
    return Screenshots(page, artifacts, name)


def post_graphql(
    server: ExampleServer, query: str, variables: dict[str, Any], timeout: float = 60
) -> Any:
    """One JSON request to /graphql, the way the front end sends it (no cookies)."""
    request = urllib.request.Request(
        server.url("/graphql"),
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        assert response.status == 200
        return json.load(response)
