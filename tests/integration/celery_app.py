"""The Celery app of the service tests, set up as a Django project sets up its own.

The pytest process imports it, so that the package's dispatcher sends to the tests' broker and
queue; the worker the tests start runs it (``celery -A tests.integration.celery_app worker``).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.integration.worker_settings")

app = Celery("graphql_passwordreset_services")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The package's task: graphql_passwordreset.deliver_password_reset.
app.conf.imports = ("graphql_passwordreset.contrib.celery",)
