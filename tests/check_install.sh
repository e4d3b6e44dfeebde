#!/usr/bin/env bash
# Installs the built wheel with pip into a fresh virtualenv of the given Python, next to the
# newest Django 6.1.x, as a new user would; fails unless pip's resolver is satisfied and Django
# starts with the app installed. Usage: tests/check_install.sh PYTHON WHEEL
set -euo pipefail
python=$1
wheel=$(realpath "$2")
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$wheel[jwt]" "Django>=6.1,<6.2"
"$venv/bin/python" -m pip check
cd "$venv"
"$venv/bin/python" - <<'PY'
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "graphene_django",
        "graphql_passwordreset",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
)
django.setup()
from django.core.management import call_command

call_command("check")
call_command("migrate", verbosity=0)
from graphql_passwordreset.schema import PasswordResetMutation, PasswordResetQuery  # noqa: F401

print(f"installed next to Django {django.get_version()}: pip check clean, check and migrate ran")
PY
