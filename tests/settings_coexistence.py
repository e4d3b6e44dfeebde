"""The test settings with django-rest-passwordreset installed next to this package, as a
project migrating from it has them during the switch-over.

COEXISTENCE_DB names an SQLite file (tests/test_coexistence.py runs manage.py commands in a
subprocess against it); without it the database of tests/settings.py is used."""

from __future__ import annotations

import os

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework", "django_rest_passwordreset"]

if os.environ.get("COEXISTENCE_DB"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["COEXISTENCE_DB"],
        }
    }

ROOT_URLCONF = "tests.urls_coexistence"
