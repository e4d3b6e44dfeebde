"""Settings of the Celery worker the service tests start: the test settings, plus the
project's receivers (tests.services.apps) and e-mail written to files the tests read."""

from __future__ import annotations

import os

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.services.apps.WorkerReceiversConfig"]

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["SERVICES_MAIL_DIR"]
DEFAULT_FROM_EMAIL = "accounts@example.com"
