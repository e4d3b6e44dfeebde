"""The example project works the way the README's walkthrough says.

Its system checks are clean, it migrates, ``create_demo_user`` can run again and again, a reset
request e-mails the stored address a link, and that link resets the password. Everything runs
in subprocesses with the example's own settings (``example_project.settings``, the database
redirected by EXAMPLE_DB_PATH to a temporary file), so the test process, which runs the
suite's settings, imports nothing of the example.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import sqlite3
import subprocess
import textwrap
from contextlib import closing
from email import policy
from pathlib import Path
from typing import Any

import pytest
from graphql_passwordreset.errors import ErrorCode
from tests.strict_python import strict_python

EXAMPLE_DIR = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-Passw0rd"  # what create_demo_user prints
NEW_PASSWORD = "Blue-Kettle-Morning-42"
RESULT_MARKER = "RESULT: "

# Each script starts like this: Django set up with the example's settings, the demo user
# created, and Django's test environment, which swaps in the locmem e-mail backend (mail.outbox)
# and lets the test Client's "testserver" host in.
SCRIPT_PREAMBLE = """\
import io, json, re
import django
django.setup()
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("create_demo_user", stdout=io.StringIO())

def graphql(client, query, variables=None, **extra):
    body = json.dumps({"query": query, "variables": variables or {}})
    return client.post("/graphql", body, content_type="application/json", **extra)

REQUEST = '''mutation($email: String!) {
  requestPasswordReset(email: $email) { ok errors { field code } }
}'''
"""


def run_in_example(
    args: list[str], db_path: Path, **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run ``python <args>`` in example_project/ with its settings and the given database
    (``settings``: more EXAMPLE_* environment variables), warnings as errors, as in the rest of
    the suite."""
    env = {
        **os.environ,
        # pytest-django exported the suite's settings module; the example needs its own.
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "EXAMPLE_DB_PATH": str(db_path),
        **settings,
    }
    return subprocess.run(
        strict_python(*args),
        cwd=EXAMPLE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(db_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    result = run_in_example(["manage.py", *args], db_path, **settings)
    assert result.returncode == 0, result.stderr
    return result


def run_script(db_path: Path, body: str, preamble: str = SCRIPT_PREAMBLE, **settings: str) -> Any:
    """Run the preamble and ``body`` in the example; return what it printed after RESULT:."""
    result = run_in_example(["-c", preamble + textwrap.dedent(body)], db_path, **settings)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0].removeprefix(RESULT_MARKER))


def demo_user_rows(db_path: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db_path)) as connection:
        return connection.execute(
            "SELECT username, email, is_superuser, password FROM auth_user WHERE username = 'demo'"
        ).fetchall()


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's database, migrated once for this module; tests work on copies."""
    path = tmp_path_factory.mktemp("example") / "migrated.sqlite3"
    manage(path, "migrate", "--noinput")
    return path


@pytest.fixture
def example_db(migrated_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_db, path)
    return path


def test_example_project_system_checks_are_clean(tmp_path: Path) -> None:
    result = manage(tmp_path / "unused.sqlite3", "check", "--fail-level", "WARNING")
    assert "System check identified no issues" in result.stdout


def test_migrate_creates_the_token_table_and_leaves_nothing_unapplied(example_db: Path) -> None:
    with closing(sqlite3.connect(example_db)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"graphql_passwordreset_resetpasswordtoken", "refresh_token_refreshtoken"} <= tables
    # migrate --check exits non-zero when a migration is still unapplied.
    manage(example_db, "migrate", "--check")


def test_create_demo_user_creates_the_user_and_prints_the_credentials(example_db: Path) -> None:
    output = manage(example_db, "create_demo_user", EXAMPLE_BASE_URL="http://localhost:8123").stdout
    assert "Created the demo user" in output
    assert "demo@example.com" in output
    assert DEMO_PASSWORD in output
    # ...and where to go: the URLs follow EXAMPLE_BASE_URL, which `make run` sets.
    assert "Sign in:          http://localhost:8123/\n" in output
    assert "GraphiQL:         http://localhost:8123/graphql " in output
    assert "E-mails:          printed by the server and saved in " in output
    [(username, email, is_superuser, _password)] = demo_user_rows(example_db)
    assert (username, email, is_superuser) == ("demo", "demo@example.com", 1)


def test_create_demo_user_twice_keeps_one_user_and_its_password(example_db: Path) -> None:
    manage(example_db, "create_demo_user")
    before = demo_user_rows(example_db)
    output = manage(example_db, "create_demo_user").stdout
    assert "already exists" in output
    # Still one demo user, with the same password hash: a second run changes nothing.
    assert demo_user_rows(example_db) == before
    assert len(before) == 1


def test_reset_request_mails_a_link_to_the_stored_address(example_db: Path) -> None:
    result = run_script(
        example_db,
        """
        # Typed in another case than stored: the mail must go to the stored address.
        response = graphql(Client(), REQUEST, {"email": "DEMO@Example.COM"})
        print("RESULT: " + json.dumps({
            "status": response.status_code,
            "data": response.json(),
            "mails": [
                {"to": m.to, "subject": m.subject, "body": m.body, "html": m.alternatives[0][0]}
                for m in mail.outbox
            ],
        }))
        """,
    )
    assert result["status"] == 200
    assert result["data"] == {"data": {"requestPasswordReset": {"ok": True, "errors": []}}}
    [sent] = result["mails"]
    assert sent["to"] == ["demo@example.com"]
    assert sent["subject"] == "Reset the password of demo on the example project"
    link = "http://127.0.0.1:8000/reset-password/?token="
    assert link in sent["body"]
    assert f'href="{link}' in sent["html"]
    # When the link expires, with its time zone (the example's TIME_ZONE is UTC).
    expiry = r"expires on \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC\."
    assert re.search(expiry, sent["body"]), sent["body"]
    assert re.search(expiry, sent["html"]), sent["html"]


def test_reset_request_for_an_unknown_address_sends_no_mail(example_db: Path) -> None:
    result = run_script(
        example_db,
        """
        response = graphql(Client(), REQUEST, {"email": "nobody@example.com"})
        print("RESULT: " + json.dumps({"data": response.json(), "mails": len(mail.outbox)}))
        """,
    )
    # The same answer as for the demo user's address, and nothing sent.
    assert result == {
        "data": {"data": {"requestPasswordReset": {"ok": True, "errors": []}}},
        "mails": 0,
    }


def test_link_from_the_mail_resets_the_password_and_signs_in(example_db: Path) -> None:
    result = run_script(
        example_db,
        f"""
        client = Client()
        graphql(client, REQUEST, {{"email": "demo@example.com"}})
        token = re.search(r"[?]token=([A-Za-z0-9]+)", mail.outbox[0].body).group(1)
        page = client.get("/reset-password/", {{"token": token}})
        validate = graphql(client, '''query($token: String!) {{
          validateResetToken(token: $token) {{ valid }}
        }}''', {{"token": token}}).json()
        confirm = graphql(client, '''mutation($token: String!, $password: String!) {{
          confirmPasswordReset(token: $token, password: $password) {{ ok errors {{ code }} }}
        }}''', {{"token": token, "password": "{NEW_PASSWORD}"}}).json()
        sign_in = '''mutation($password: String!) {{
          tokenAuth(username: "demo", password: $password) {{ token }}
        }}'''
        new = graphql(client, sign_in, {{"password": "{NEW_PASSWORD}"}}).json()
        old = graphql(client, sign_in, {{"password": "{DEMO_PASSWORD}"}}).json()
        me = graphql(client, "{{ me {{ username }} }}",
                     HTTP_AUTHORIZATION="JWT " + new["data"]["tokenAuth"]["token"]).json()
        print("RESULT: " + json.dumps({{
            "page": [page.status_code, token in page.content.decode()],
            "validate": validate, "confirm": confirm,
            "new_sign_in": bool(new["data"]["tokenAuth"]["token"]),
            "old_sign_in": old["data"]["tokenAuth"], "me": me,
        }}))
        """,
    )
    assert result["page"] == [200, True]
    assert result["validate"] == {"data": {"validateResetToken": {"valid": True}}}
    assert result["confirm"] == {"data": {"confirmPasswordReset": {"ok": True, "errors": []}}}
    assert result["new_sign_in"] is True
    assert result["old_sign_in"] is None  # the old password no longer signs in
    assert result["me"] == {"data": {"me": {"username": "demo"}}}


def test_graphql_view_checks_csrf_for_every_request_a_browser_could_forge(
    example_db: Path,
) -> None:
    result = run_script(
        example_db,
        """
        from django.contrib.auth import get_user_model

        variables = {"email": "demo@example.com"}

        def status(client, path="/graphql", query=REQUEST, variables=variables, **extra):
            body = json.dumps({"query": query, "variables": variables})
            return client.post(path, body, content_type="application/json", **extra).status_code

        # An API client (gql, a mobile app, the front end): JSON and no credential cookie.
        # It keeps the csrftoken cookie /graphql sets, which is no credential.
        api = Client(enforce_csrf_checks=True)
        api.get("/graphql", HTTP_ACCEPT="text/html")
        api_has_csrf_cookie = "csrftoken" in api.cookies
        # What an HTML form on another site can post: not JSON, so checked, and refused.
        form = {"query": REQUEST, "variables": json.dumps(variables)}
        forms = [Client(enforce_csrf_checks=True).post(path, form).status_code
                 for path in ("/graphql", "/graphql-relay")]
        # Riding on the session (GraphiQL, the admin): refused without the token...
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(get_user_model().objects.get(username="demo"))
        session_without_token = status(browser)
        # ...and accepted with it, the way GraphiQL sends it: the page sets the cookie,
        # fetch() echoes it in X-CSRFToken.
        page = browser.get("/graphql", HTTP_ACCEPT="text/html")
        token = browser.cookies["csrftoken"].value
        session_with_token = status(browser, HTTP_X_CSRFTOKEN=token)
        # django-graphql-jwt's cookies are credentials too.
        jwt_cookies = []
        for name in ("JWT", "JWT-refresh-token"):
            client = Client(enforce_csrf_checks=True)
            client.cookies[name] = "anything"
            jwt_cookies.append(status(client))
        print("RESULT: " + json.dumps({
            "api": [
                api_has_csrf_cookie,
                status(api),
                status(api, "/graphql-relay", "{ me { username } }", {}),
            ],
            "forms": forms,
            "session": [session_without_token, page.status_code, session_with_token],
            "jwt_cookies": jwt_cookies,
        }))
        """,
    )
    assert result["api"] == [True, 200, 200]
    assert result["forms"] == [403, 403]
    assert result["session"] == [403, 200, 200]
    assert result["jwt_cookies"] == [403, 403]


MESSAGES_JS = EXAMPLE_DIR / "accounts" / "static" / "accounts" / "messages.js"


def test_front_end_has_a_friendly_message_for_every_error_code() -> None:
    """A code added to the package fails here until the front end says something about it."""
    source = MESSAGES_JS.read_text(encoding="utf-8")
    block = re.search(
        r"^window\.ERROR_MESSAGES = Object\.freeze\(\{$(.*?)^\}\);$", source, re.M | re.S
    )
    assert block, "window.ERROR_MESSAGES = Object.freeze({ ... }); not found"
    entries = dict(re.findall(r'^  ([A-Z_]+):\s*"([^"]*)",$', block.group(1), re.M))
    assert sorted(entries) == sorted(code.name for code in ErrorCode)
    assert all(message.strip() for message in entries.values()), entries


def test_front_end_pages_render_with_the_password_rules(example_db: Path) -> None:
    result = run_script(
        example_db,
        """
        client = Client()
        pages = {}
        for path in ("/", "/forgot-password/", "/reset-password/?token=abc123"):
            response = client.get(path)
            pages[path] = {
                "status": response.status_code,
                "html": response.content.decode(),
                "referrer_policy": response.headers.get("Referrer-Policy"),
            }
        print("RESULT: " + json.dumps(pages))
        """,
    )
    sign_in, forgot, reset = (
        result["/"],
        result["/forgot-password/"],
        result["/reset-password/?token=abc123"],
    )
    assert [sign_in["status"], forgot["status"], reset["status"]] == [200, 200, 200]
    assert '<label for="username">Username</label>' in sign_in["html"]
    assert '<label for="email">E-mail address</label>' in forgot["html"]
    assert 'data-reset-url="/reset-password/"' in forgot["html"]
    # The example's throttle on links for one address (RATES), stated up front.
    assert "we send at most 20 links an hour\n    to one address" in forgot["html"]
    assert 'data-limit="We send at most 20 links an hour to one address."' in forgot["html"]
    # AUTH_PASSWORD_VALIDATORS' rules, shown before the first attempt.
    assert "<li>Your password must contain at least 8 characters.</li>" in reset["html"]
    # The token is in the page's URL: it must not leak in a Referer.
    assert reset["referrer_policy"] == "no-referrer"


def test_mail_is_printed_and_saved_in_the_mail_folder(example_db: Path, tmp_path: Path) -> None:
    """What `make run` does with the reset e-mail: print it in the server's terminal and save
    it as an .eml file; the link follows EXAMPLE_BASE_URL."""
    folder = tmp_path / "sent"
    body = """\
import io, json
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("create_demo_user", stdout=io.StringIO())
response = Client(HTTP_HOST="127.0.0.1").post(
    "/graphql",
    json.dumps({"query": 'mutation { requestPasswordReset(email: "demo@example.com") { ok } }'}),
    content_type="application/json",
)
print("RESULT: " + json.dumps(response.json()))
"""
    result = run_in_example(
        ["-c", body],
        example_db,
        EXAMPLE_MAIL_DIR=str(folder),
        EXAMPLE_BASE_URL="http://localhost:8123",
    )
    assert result.returncode == 0, result.stderr
    assert 'RESULT: {"data": {"requestPasswordReset": {"ok": true}}}' in result.stdout
    [saved] = folder.glob("*.eml")
    assert not list(folder.glob(".*"))  # no partial file left behind
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert message["To"] == "demo@example.com"
    assert message["Subject"] == "Reset the password of demo on the example project"
    text = message.get_body(("plain",)).get_content()
    assert "http://localhost:8123/reset-password/?token=" in text
    # Printed too, as Django's console backend does, with where the copy went.
    assert "Subject: Reset the password of demo on the example project" in result.stdout
    assert f"(saved as {saved})" in result.stdout


# Django 4.2's command line swallows a settings error and runs the command unconfigured; which error
# then surfaces depends on the order of its checks, a set. The model and database checks alone
# always hit the unloaded app registry first, so they show whether manage.py reports the
# settings error itself, whatever that order is.
@pytest.mark.parametrize(
    "command",
    [["check"], ["check", "--tag", "models"], ["check", "--tag", "database"], ["migrate"]],
    ids=" ".join,
)
def test_an_unknown_email_setting_stops_the_example(tmp_path: Path, command: list[str]) -> None:
    result = run_in_example(
        ["manage.py", *command], tmp_path / "unused.sqlite3", EXAMPLE_EMAIL="carrier-pigeon"
    )
    assert result.returncode != 0
    assert "EXAMPLE_EMAIL must be 'console' or 'smtp'." in result.stderr


def test_the_graphql_endpoints_answer_400_to_bodies_graphene_django_crashes_on(
    example_db: Path,
) -> None:
    """The example's guard in front of GraphQLView (graphql_view.refuse_unparsable_bodies):
    a 400 in GraphQL's error shape where graphene-django alone answers 500, and ordinary
    requests, malformed JSON included, still reach the view."""
    result = run_script(
        example_db,
        """
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        # Far past the recursion limit, and under the 100 kB the endpoints accept at all.
        deep = b"[" * 20_000 + b"]" * 20_000
        deep_variables = (
            b'{"query": "{ ping }", "variables": {"x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}}"
        )
        bodies = [
            (b"\\xff{ __typename }", "application/graphql"),
            (deep, "application/json"),
            (deep_variables, "application/json"),
            (b'{"query": "{ __typename }"}', "application/json"),
            (b"{ __typename }", "application/graphql"),
            (b'{"query": ', "application/json"),
        ]
        answers = []
        for path in ("/graphql", "/graphql-relay"):
            for body, content_type in bodies:
                response = client.generic("POST", path, body, content_type=content_type)
                answers.append([response.status_code, response.json()])
        print("RESULT: " + json.dumps(answers))
        """,
    )
    for offset in (0, 6):
        refused, ok, malformed = (
            result[offset : offset + 3],
            result[offset + 3 : offset + 5],
            result[offset + 5],
        )
        for status, body in refused:
            assert status == 400 and list(body) == ["errors"], body
            assert "ecursion" not in body["errors"][0]["message"]
        assert ok == [[200, {"data": {"__typename": "Query"}}]] * 2
        assert malformed[0] == 400 and "errors" in malformed[1]


def test_graphiql_page_loads_its_files_from_the_example_with_graphene_djangos_hashes(
    example_db: Path,
) -> None:
    """GraphiQL without a CDN: every file the page loads is the example's own static file
    (static/graphiql/, tools/graphiql_assets.py), and matches the integrity hash the page
    gives, graphene-django's. Fails after a graphene-django upgrade that pins other versions,
    until `make graphiql-assets` refreshes the copies."""
    result = run_script(
        example_db,
        """
        import base64, hashlib
        from django.contrib.staticfiles import finders
        response = Client().get("/graphql", HTTP_ACCEPT="text/html")
        html = response.content.decode()
        files = []
        scripts_and_styles = r'<script [^>]*src="[^>]*>|<link [^>]*rel="stylesheet"[^>]*>'
        for tag in re.findall(scripts_and_styles, html):
            url = re.search(r'(?:src|href)="([^"]+)"', tag).group(1)
            integrity = re.search(r'integrity="([^"]*)"', tag)
            found = url.startswith("/static/") and finders.find(url.removeprefix("/static/"))
            digest = None
            if found:
                with open(found, "rb") as file:
                    digest = hashlib.sha256(file.read()).digest()
                digest = "sha256-" + base64.b64encode(digest).decode()
            files.append({
                "url": url,
                "integrity": integrity.group(1) if integrity else None,
                "found": bool(found),
                "digest": digest,
            })
        result = {"status": response.status_code, "html": html, "files": files}
        print("RESULT: " + json.dumps(result))
        """,
    )
    assert result["status"] == 200
    assert "jsdelivr" not in result["html"]
    files = result["files"]
    assert len(files) == 8, files  # 2 stylesheets, 6 scripts
    assert all(entry["url"].startswith("/static/") and entry["found"] for entry in files), files
    hashed = [entry for entry in files if entry["integrity"]]
    # All but graphene-django's own graphiql.js, which its template loads without a hash.
    assert [entry["url"] for entry in files if not entry["integrity"]] == [
        "/static/graphene_django/graphiql.js"
    ]
    assert all(entry["integrity"] == entry["digest"] for entry in hashed), hashed


def test_the_graphql_endpoints_refuse_documents_too_large_to_be_worth_parsing(
    example_db: Path,
) -> None:
    """The example's bound on the work of one request (graphql_view.refuse_oversized_documents):
    20,000 aliases of validateResetToken (a megabyte) are refused by size, 2,000 (80 kB) by
    their tokens, each in GraphQL's error shape and in well under 2 s, where GraphQLView alone
    takes tens of seconds; ordinary requests, GraphiQL's introspection included, still work."""
    result = run_script(
        example_db,
        """
        import time
        from graphql import get_introspection_query

        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)

        def aliases(count):
            fields = " ".join(
                f'a{n}:validateResetToken(token:"x{n}"){{valid}}' for n in range(count)
            )
            return "query{" + fields + "}"

        answers = []
        for path in ("/graphql", "/graphql-relay"):
            for count in (20_000, 2_000):
                query = aliases(count)
                start = time.perf_counter()
                response = graphql(client, query)
                seconds = time.perf_counter() - start
                answers.append([len(query), response.status_code, response.json(), seconds])
        single = graphql(client, 'query { validateResetToken(token: "x") { valid } }')
        introspection = graphql(client, get_introspection_query(descriptions=True))
        print("RESULT: " + json.dumps({
            "refused": answers,
            "single": [single.status_code, single.json()],
            "introspection": [introspection.status_code, "errors" in introspection.json()],
        }))
        """,
    )
    for size, status, body, seconds in result["refused"]:
        assert 400 <= status < 500, (size, status, body)
        [error] = body["errors"]
        assert list(body) == ["errors"] and "not accepted" in error["message"], body
        assert seconds < 2, (size, seconds)
    assert [(size > 100_000, status) for size, status, _, _ in result["refused"]] == [
        (True, 413),
        (False, 400),
    ] * 2
    assert result["single"] == [200, {"data": {"validateResetToken": {"valid": False}}}]
    assert result["introspection"] == [200, False]
