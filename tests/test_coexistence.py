"""This package installed side by side with django-rest-passwordreset, as during a migration
from it: both apps migrate and pass the system checks, both token models live on one user,
and a reset through our GraphQL works while a token of theirs exists.

INSTALLED_APPS cannot change inside one test run, so each test runs Django in a subprocess
with tests/settings_coexistence.py against an SQLite file of its own. Needs the
django-rest-passwordreset and djangorestframework packages."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .strict_python import strict_python

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "tests.settings_coexistence"


def run(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python *args`` with the coexistence settings; fail the test on a non-zero exit."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "COEXISTENCE_DB": str(database),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    # Warnings are errors here too, as in the rest of the suite.
    result = subprocess.run(
        strict_python(*args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with every migration of both apps applied."""
    path = tmp_path_factory.mktemp("coexistence") / "db.sqlite3"
    run(path, "-m", "django", "migrate", "--noinput", "-v", "0")
    return path


def test_both_apps_migrate_into_their_own_tables(database: Path) -> None:
    result = run(
        database,
        "-c",
        "import django; django.setup(); from django.db import connection; "
        "print(sorted(connection.introspection.table_names()))",
    )
    assert "'django_rest_passwordreset_resetpasswordtoken'" in result.stdout
    assert "'graphql_passwordreset_resetpasswordtoken'" in result.stdout


def test_both_apps_pass_the_system_checks(database: Path) -> None:
    result = run(database, "-m", "django", "check", "--fail-level", "WARNING")
    assert "System check identified no issues" in result.stdout


def test_no_migration_is_missing_with_both_apps_installed(database: Path) -> None:
    run(database, "-m", "django", "makemigrations", "--check", "--dry-run", "-v", "0")


def test_a_graphql_reset_works_next_to_a_token_of_theirs(database: Path) -> None:
    result = run(database, "-c", "from tests.test_coexistence import reset_flow; reset_flow()")
    assert result.stdout.strip().endswith("coexistence flow ok")


def reset_flow() -> None:
    """Runs in the subprocess, with both apps installed and migrated."""
    import json

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_rest_passwordreset.models import ResetPasswordToken as TheirToken
    from django_rest_passwordreset.signals import (
        reset_password_token_created as their_created,
    )

    from graphql_passwordreset.models import ResetPasswordToken as OurToken
    from graphql_passwordreset.signals import reset_password_token_created as our_created

    user = get_user_model().objects.create_user("alice", "alice@example.com", "Original-passw0rd!")
    theirs = TheirToken.objects.create(user=user)
    our_keys: list[str] = []
    their_signals: list[object] = []
    our_created.connect(
        lambda **kwargs: our_keys.append(kwargs["reset_password_token"].key), weak=False
    )
    their_created.connect(lambda **kwargs: their_signals.append(kwargs), weak=False)

    client = Client()

    def graphql(query: str, variables: dict[str, str]) -> dict[str, object]:
        body = json.dumps({"query": query, "variables": variables})
        response = client.post("/graphql", body, content_type="application/json")
        assert response.status_code == 200, response.content
        data = response.json()
        assert "errors" not in data, data
        return data["data"]  # type: ignore[no-any-return]

    requested = graphql(
        "mutation($email: String!) { requestPasswordReset(email: $email) { ok errors { code } } }",
        {"email": "alice@example.com"},
    )
    assert requested == {"requestPasswordReset": {"ok": True, "errors": []}}, requested
    assert len(our_keys) == 1 and their_signals == []
    # One user, one token in each app, each behind its own reverse relation.
    assert list(user.password_reset_tokens.all()) == [theirs]
    assert user.graphql_password_reset_tokens.count() == 1
    # Their plaintext key is not a token of ours.
    assert our_keys[0] != theirs.key

    refused = graphql(
        "mutation($token: String!, $password: String!) { confirmPasswordReset("
        "token: $token, password: $password) { ok errors { code } } }",
        {"token": theirs.key, "password": "Brand-new-Secret-42"},
    )
    assert refused["confirmPasswordReset"]["errors"] == [{"code": "INVALID_TOKEN"}], refused

    confirmed = graphql(
        "mutation($token: String!, $password: String!) { confirmPasswordReset("
        "token: $token, password: $password) { ok errors { code } } }",
        {"token": our_keys[0], "password": "Brand-new-Secret-42"},
    )
    assert confirmed == {"confirmPasswordReset": {"ok": True, "errors": []}}, confirmed
    user.refresh_from_db()
    assert user.check_password("Brand-new-Secret-42")
    assert not OurToken.objects.exists()
    # The other app's records are its own business.
    assert TheirToken.objects.filter(pk=theirs.pk).exists()

    # Their REST endpoint still answers in the same project.
    response = client.post("/api/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 200, response.content
    assert not OurToken.objects.exists()
    print("coexistence flow ok")
