"""The WSGI application of the load server: the test project, plus a receiver that hands every
delivered token to bench/load.py through Redis (it runs in the gunicorn worker processes, so
a list in Redis is the way back to the driver)."""

from __future__ import annotations

import json
import os
from typing import Any

import redis
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load_settings")

application = get_wsgi_application()

from graphql_passwordreset.signals import reset_password_token_created  # noqa: E402

PREFIX = os.environ["LOAD_REDIS_PREFIX"]
_redis = redis.Redis.from_url(os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/1"))


def record_token(reset_password_token: Any, **kwargs: Any) -> None:
    """Push the token to the driver's pool (it takes tokens from there to validate and confirm)
    and to the log of every delivery (it checks the database against that afterwards)."""
    entry = json.dumps(
        {
            "user": str(reset_password_token.user.pk),
            "key": reset_password_token.key,
            "created": reset_password_token.created_at.isoformat(),
        }
    )
    pipe = _redis.pipeline()
    pipe.rpush(f"{PREFIX}:pool", entry)
    pipe.rpush(f"{PREFIX}:delivered", entry)
    pipe.execute()


reset_password_token_created.connect(record_token, dispatch_uid="bench-load-record-token")
