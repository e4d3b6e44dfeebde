"""docs/quickstart.md, followed as a newcomer would, in a brand-new project.

The wheel is built and installed into a fresh virtualenv (QUICKSTART_PYTHON, Python 3.11 by
default, so Django 5.2; Python 3.13 gets Django 6.1). ``django-admin startproject`` runs in a
temporary folder, and the page's code blocks are applied as the page says: each block the test
uses is preceded by a comment such as ``<!-- quickstart: append mysite/settings.py -->`` (or
``run``, ``create``, ``replace``; ``; when jwt`` or ``; when django < 6.1`` limit it). Nothing of
the page is copied here. Then runserver, with Python warnings as errors, on a free port of
127.0.0.1, and a client without cookies: request a reset, read the token from the e-mail the
console backend prints, validate, confirm, and sign in with the new password. Once without
the page's django-graphql-jwt section, once with it (LOGIN_ON_CONFIRM, tokenAuth).

``make quickstart`` runs it; ``make test`` leaves it out (the ``quickstart`` marker).
"""

from __future__ import annotations

import email
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tests.strict_python import UPSTREAM_WARNINGS

pytestmark = pytest.mark.quickstart

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "docs" / "quickstart.md"
PYTHON = os.environ.get("QUICKSTART_PYTHON") or "python3.11"
# python -W error, less django-graphql-jwt 0.4's utcnow() warning from its own modules
STRICT = ["-W", "error", *(flag for warning in UPSTREAM_WARNINGS for flag in ("-W", warning))]

USER = {"username": "alice", "email": "alice@example.com"}
OLD_PASSWORD = "Old-Passw0rd-quickstart"
NEW_PASSWORD = "Blue-Kettle-Morning-42"
# The e-mail links to RESET_URL with the token in its query string.
TOKEN_IN_MAIL = re.compile(r"/reset-password/\?token=([A-Za-z0-9]+)")
MAIL_SEPARATOR = "-" * 79  # what Django's console backend writes after each message

PIP_TIMEOUT = 600
COMMAND_TIMEOUT = 180
SERVER_START_TIMEOUT = 60
HTTP_TIMEOUT = 30
MAIL_TIMEOUT = 20


# --- the page's code blocks ---

MARKER = re.compile(r"^<!-- quickstart: (?P<spec>.+?) -->$")
FENCE = re.compile(r"^(?P<fence>`{3,})")
ACTIONS = {"run", "create", "replace", "append"}
DJANGO_CONDITION = re.compile(r"^django\s*(?P<op><|>=)\s*(?P<major>\d+)\.(?P<minor>\d+)$")


@dataclass(frozen=True)
class Block:
    """One code block of the page, with what the comment before it says to do with it."""

    line: int
    action: str
    path: str | None
    conditions: tuple[str, ...]
    code: str

    def applies(self, variant: str, django: tuple[int, int]) -> bool:
        for condition in self.conditions:
            if condition == "jwt":
                if variant != "jwt":
                    return False
                continue
            match = DJANGO_CONDITION.match(condition)
            assert match, f"quickstart.md:{self.line}: unknown condition {condition!r}"
            bound = (int(match["major"]), int(match["minor"]))
            if (django < bound) != (match["op"] == "<"):
                return False
        return True


def read_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        marker = MARKER.match(line.strip())
        if not marker:
            continue
        where = f"quickstart.md:{index + 1}"
        head, *conditions = (part.strip() for part in marker["spec"].split(";"))
        action, *path = head.split()
        assert action in ACTIONS, f"{where}: unknown action {action!r}"
        assert (action == "run") == (not path), f"{where}: {action!r} and a path do not match"
        opening = FENCE.match(lines[index + 1]) if index + 1 < len(lines) else None
        assert opening, f"{where}: the comment is not followed by a code block"
        end = next(
            (j for j in range(index + 2, len(lines)) if lines[j].strip() == opening["fence"]),
            None,
        )
        assert end is not None, f"{where}: the code block is not closed"
        assert all(c.startswith("when ") for c in conditions), f"{where}: use '; when ...'"
        blocks.append(
            Block(
                line=index + 1,
                action=action,
                path=path[0] if path else None,
                conditions=tuple(c.removeprefix("when ").strip() for c in conditions),
                code="\n".join(lines[index + 2 : end]) + "\n",
            )
        )
    return blocks


# --- processes ---


def run(argv: list[str], cwd: Path, env: dict[str, str], timeout: int = COMMAND_TIMEOUT) -> str:
    result = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{shlex.join(argv)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


@dataclass
class Venv:
    path: Path
    wheel: Path
    env: dict[str, str]

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def pip_install(self, requirement: str) -> None:
        run(
            [self.python, "-m", "pip", "install", "--quiet", requirement],
            REPO,
            self.env,
            PIP_TIMEOUT,
        )

    def django_version(self) -> tuple[int, int]:
        out = run([self.python, "-c", "import django; print(*django.VERSION[:2])"], REPO, self.env)
        major, minor = out.split()
        return int(major), int(minor)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh virtualenv of QUICKSTART_PYTHON with the freshly built wheel installed."""
    root = tmp_path_factory.mktemp("quickstart")
    # The project's own settings module must not leak into the new project's processes.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONWARNINGS", "VIRTUAL_ENV"}
    }
    dist = root / "dist"
    run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        REPO,
        env,
        PIP_TIMEOUT,
    )
    (wheel,) = dist.glob("graphql_passwordreset-*.whl")
    path = root / "venv"
    run([PYTHON, "-m", "venv", str(path)], REPO, env)
    env["PATH"] = f"{path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    created = Venv(path=path, wheel=wheel, env=env)
    created.pip_install(str(wheel))
    return created


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``manage.py runserver`` on 127.0.0.1, warnings as errors; stdout (the console backend's
    e-mails) and stderr (the request log) in files of their own."""

    def __init__(self, venv: Venv, project: Path, logs: Path) -> None:
        self.port = free_port()
        self.stdout_path = logs / "server.stdout"
        self.stderr_path = logs / "server.stderr"
        self._stdout = self.stdout_path.open("wb")
        self._stderr = self.stderr_path.open("wb")
        argv = [venv.python, *STRICT, "-u", "manage.py", "runserver", "--noreload"]
        self.process = subprocess.Popen(
            [*argv, f"127.0.0.1:{self.port}"],
            cwd=project,
            env=venv.env,
            stdout=self._stdout,
            stderr=self._stderr,
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            assert self.process.poll() is None, f"runserver exited:\n{self.logs()}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, f"runserver did not listen:\n{self.logs()}"
                time.sleep(0.2)

    def logs(self) -> str:
        return (
            self.stdout_path.read_text(errors="replace")
            + "\n--- stderr ---\n"
            + self.stderr_path.read_text(errors="replace")
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self._stdout.close()
        self._stderr.close()

    def mail_position(self) -> int:
        return self.stdout_path.stat().st_size

    def mail_since(self, position: int) -> email.message.EmailMessage:
        """The first e-mail the console backend printed after ``position``."""
        deadline = time.monotonic() + MAIL_TIMEOUT
        while True:
            with self.stdout_path.open("rb") as stdout:
                stdout.seek(position)
                printed = stdout.read().decode("utf-8", errors="replace")
            if MAIL_SEPARATOR in printed:
                text = printed.split(MAIL_SEPARATOR)[0].strip("\n")
                message = email.message_from_string(text, policy=policy.default)
                assert isinstance(message, email.message.EmailMessage)
                return message
            assert time.monotonic() < deadline, f"no e-mail was printed:\n{self.logs()}"
            time.sleep(0.2)


# No cookie jar and no proxy: the client holds no cookie, and talks to 127.0.0.1 only.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body, headers=headers, method="POST"
    )
    try:
        with OPENER.open(request, timeout=HTTP_TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def graphql(port: int, query: str, **variables: Any) -> dict[str, Any]:
    """POST a GraphQL document as JSON, without cookies; the answer's ``data``."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    status, answer = post(port, body, {"Content-Type": "application/json"})
    assert status == 200, (status, answer[:2000])
    decoded = json.loads(answer)
    assert "errors" not in decoded, decoded
    return decoded["data"]


REQUEST = """mutation($email: String!) {
  requestPasswordReset(email: $email) { ok errors { field code } }
}"""
VALIDATE = """query($token: String!) {
  validateResetToken(token: $token) { valid errors { field code } }
}"""
CONFIRM = """mutation($token: String!, $password: String!) {
  confirmPasswordReset(token: $token, password: $password) {
    ok errors { field code } token refreshToken
  }
}"""
TOKEN_AUTH = """mutation($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken }
}"""
VERIFY = """mutation($token: String!) { verifyToken(token: $token) { payload } }"""


# --- the test ---


@dataclass
class Project:
    """The new project, built from the page's blocks; ``cwd`` follows the page's ``cd``."""

    venv: Venv
    cwd: Path

    def python(self, *args: str) -> str:
        return run([self.venv.python, *STRICT, *args], self.cwd, self.venv.env)

    def apply(self, block: Block) -> None:
        if block.action == "run":
            for command in block.code.splitlines():
                argv = shlex.split(command, comments=True)
                if not argv:
                    continue
                if argv[0] == "cd":
                    self.cwd = self.cwd / argv[1]
                elif argv[0] == "python":
                    self.python(*argv[1:])
                elif argv[0] == "django-admin":
                    self.python("-m", "django", *argv[1:])
                else:
                    raise AssertionError(f"quickstart.md:{block.line}: cannot run {command!r}")
            return
        assert block.path is not None
        assert (self.cwd / "manage.py").exists(), f"quickstart.md:{block.line}: not in a project"
        target = self.cwd / block.path
        if block.action == "create":
            assert not target.exists(), f"quickstart.md:{block.line}: {block.path} exists"
            target.write_text(block.code)
        elif block.action == "replace":
            assert target.exists(), f"quickstart.md:{block.line}: no {block.path} to replace"
            target.write_text(block.code)
        else:
            assert target.exists(), f"quickstart.md:{block.line}: no {block.path} to append to"
            target.write_text(target.read_text() + "\n\n" + block.code)


def test_the_page_marks_its_blocks() -> None:
    blocks = read_blocks(QUICKSTART.read_text())
    actions = {(block.action, block.path) for block in blocks}
    assert ("run", None) in actions
    for path in ("mysite/settings.py", "mysite/schema.py", "mysite/urls.py", "accounts/apps.py"):
        assert any(block.path == path for block in blocks), path
    assert any("jwt" in block.conditions for block in blocks)


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Any]:
    servers: list[Server] = []

    def start(venv: Venv, project: Path) -> Server:
        server = Server(venv, project, tmp_path)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("variant", ["plain", "jwt"])
def test_quickstart(variant: str, venv: Venv, tmp_path: Path, server_factory: Any) -> None:
    if variant == "jwt":
        venv.pip_install(f"{venv.wheel}[jwt]")
    django = venv.django_version()
    print(f"{variant}: {PYTHON}, Django {django[0]}.{django[1]}")

    project = Project(venv=venv, cwd=tmp_path / "work")
    project.cwd.mkdir()
    for block in read_blocks(QUICKSTART.read_text()):
        if block.applies(variant, django):
            project.apply(block)
    project.python("manage.py", "check", "--fail-level", "WARNING")
    project.python(
        "manage.py",
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user({USER['username']!r}, {USER['email']!r}, "
        f"{OLD_PASSWORD!r})",
    )

    server = server_factory(venv, project.cwd)
    port = server.port

    # CSRF still guards what a browser could forge: a form post, a request riding on a cookie.
    status, _ = post(
        port, b"query=%7B__typename%7D", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 403
    status, _ = post(
        port,
        json.dumps({"query": "{ __typename }"}).encode(),
        {"Content-Type": "application/json", "Cookie": "sessionid=anything"},
    )
    assert status == 403

    # An unknown address: the same answer, and no e-mail.
    position = server.mail_position()
    answer = graphql(port, REQUEST, email="nobody@example.com")
    assert answer == {"requestPasswordReset": {"ok": True, "errors": []}}
    answer = graphql(port, REQUEST, email=USER["email"])
    assert answer == {"requestPasswordReset": {"ok": True, "errors": []}}

    mail = server.mail_since(position)
    assert mail["To"] == USER["email"], mail["To"]
    body = mail.get_body(("plain",))
    assert body is not None
    found = TOKEN_IN_MAIL.search(body.get_content())
    assert found, body.get_content()
    token = found[1]

    answer = graphql(port, VALIDATE, token=token)
    assert answer == {"validateResetToken": {"valid": True, "errors": []}}

    # A weak password is refused, and does not use the token up.
    answer = graphql(port, CONFIRM, token=token, password="password")
    assert answer["confirmPasswordReset"]["ok"] is False
    codes = {error["code"] for error in answer["confirmPasswordReset"]["errors"]}
    assert "PASSWORD_TOO_COMMON" in codes

    answer = graphql(port, CONFIRM, token=token, password=NEW_PASSWORD)
    confirmed = answer["confirmPasswordReset"]
    assert confirmed["ok"] is True and confirmed["errors"] == [], confirmed

    answer = graphql(port, CONFIRM, token=token, password=NEW_PASSWORD)
    assert answer["confirmPasswordReset"]["errors"] == [{"field": "token", "code": "INVALID_TOKEN"}]

    if variant == "jwt":
        # LOGIN_ON_CONFIRM: the reset signed alice in.
        assert confirmed["token"] and confirmed["refreshToken"], confirmed
        answer = graphql(port, VERIFY, token=confirmed["token"])
        assert answer["verifyToken"]["payload"]["username"] == USER["username"]
        answer = graphql(port, TOKEN_AUTH, username=USER["username"], password=NEW_PASSWORD)
        assert answer["tokenAuth"]["token"]
        body = json.dumps(
            {
                "query": TOKEN_AUTH,
                "variables": {"username": USER["username"], "password": OLD_PASSWORD},
            }
        ).encode()
        status, refused = post(port, body, {"Content-Type": "application/json"})
        assert status == 200 and json.loads(refused)["data"]["tokenAuth"] is None, refused
    else:
        assert confirmed["token"] is None and confirmed["refreshToken"] is None
        project.python(
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth import authenticate; "
            f"assert authenticate(username={USER['username']!r}, password={NEW_PASSWORD!r}); "
            f"assert not authenticate(username={USER['username']!r}, password={OLD_PASSWORD!r})",
        )

    server.stop()
    logs = server.logs()
    assert "Traceback" not in logs and "Warning" not in logs, logs
