"""Settings of the Celery worker the service tests start: the test settings, plus the
project's receivers (tests.integration.apps) and e-mail written to files the tests read."""

from __future__ import annotations

import os

import django

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.integration.apps.WorkerReceiversConfig"]

# E-mail as files in SERVICES_MAIL_DIR: MAILERS from Django 6.1, EMAIL_* before.
if django.VERSION >= (6, 1):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["SERVICES_MAIL_DIR"]},
        }
    }
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["SERVICES_MAIL_DIR"]
DEFAULT_FROM_EMAIL = "accounts@example.com"
