"""The WSGI application gunicorn serves for bench/timing_leak.py."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.timing_settings")

from bench import timing_celery  # noqa: E402,F401  (the Celery app and the slow receiver)

application = get_wsgi_application()
