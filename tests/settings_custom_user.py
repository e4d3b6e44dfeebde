"""The suite again, on a custom user model (UUID primary key, e-mail field named
``email_address``, no username) and with ATOMIC_REQUESTS on."""

from __future__ import annotations

from .settings import *  # noqa: F403
from .settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.custom_user"]
AUTH_USER_MODEL = "custom_user.User"
for _database in DATABASES.values():
    _database["ATOMIC_REQUESTS"] = True

GRAPHQL_PASSWORDRESET = {"LOOKUP_FIELD": "email_address"}
