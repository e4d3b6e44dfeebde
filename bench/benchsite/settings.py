"""Settings of the benchmark project: both packages on one database, both throttling.

Environment:
  DB=sqlite (default, a file) or DB=postgres (127.0.0.1:5432, database BENCH_PG_NAME)
  HASHER=md5 (default: the packages' own cost stays visible) or HASHER=default (Django's)
  THROTTLES=on (default: both packages count every request, at limits never reached) or off
  BENCH_SQLITE_PATH: the SQLite file (bench/run.py sets it)
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.postgres_server import django_database

ROOT = Path(__file__).resolve().parents[2]

SECRET_KEY = "bench-only-not-secret-but-long-enough-for-hs256-signatures"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ROOT_URLCONF = "bench.benchsite.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "django_rest_passwordreset",
    "graphene_django",
    "graphql_passwordreset",
]

# What `startproject` gives, the same for every variant.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

DB = os.environ.get("DB", "sqlite")
if DB == "postgres":
    DATABASES = {
        "default": django_database(os.environ.get("BENCH_PG_NAME", "bench_graphql_passwordreset"))
    }
elif DB == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get(
                "BENCH_SQLITE_PATH", str(ROOT / "artifacts" / "bench" / "bench.sqlite3")
            ),
        }
    }
    # WAL with synchronous=NORMAL, as Django's docs suggest for SQLite in production: commits
    # do not wait for fsync. SQLITE_MODE=default keeps SQLite's own (a rollback journal and an
    # fsync per commit, a few milliseconds here, which then dominates every write).
    SQLITE_MODE = os.environ.get("SQLITE_MODE", "wal")
    if SQLITE_MODE == "wal":
        DATABASES["default"]["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        }
    elif SQLITE_MODE != "default":
        raise RuntimeError(f"Unknown SQLITE_MODE={SQLITE_MODE!r}: use wal or default.")
else:
    raise RuntimeError(f"Unknown DB={DB!r}: use sqlite or postgres.")

# Many short-lived throttle keys: keep locmem from culling in the middle of a batch.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}

HASHER = os.environ.get("HASHER", "md5")
if HASHER == "md5":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
elif HASHER != "default":
    raise RuntimeError(f"Unknown HASHER={HASHER!r}: use md5 or default.")

# The validators `startproject` enables.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

GRAPHENE = {"SCHEMA": "bench.benchsite.schema.schema"}

# Tokens live 30 days in both packages (their default is 24 hours), so the scale run's filled
# template stays live long enough to be reused; the queries cost the same for any expiry.
BENCH_TOKEN_EXPIRY_HOURS = 24 * 30
DJANGO_REST_MULTITOKENAUTH_RESET_TOKEN_EXPIRY_TIME = BENCH_TOKEN_EXPIRY_HOURS

# Throttles stay on, as in production, with limits the benchmark never reaches. One-second
# windows keep DRF's per-client history (a list of timestamps) as short as it is in real use.
THROTTLES = os.environ.get("THROTTLES", "on")
_SCOPES = ["request_address", "request_ip", "validate_ip", "confirm_ip"]
# This package's limits hold one cache slot per allowed use (a moving window): the benchmark
# keeps the defaults' counts (5, 20, 60, 60) over one-second windows, which it never fills (a
# client address makes a few uses a second at most), so the throttle costs what it costs with
# the shipped rates.
BENCH_RATES = {
    "request_address": "5/second",
    "request_ip": "20/second",
    "validate_ip": "60/second",
    "confirm_ip": "60/second",
}
if THROTTLES == "on":
    GRAPHQL_PASSWORDRESET = {"TOKEN_EXPIRY_HOURS": BENCH_TOKEN_EXPIRY_HOURS, "RATES": BENCH_RATES}
    REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_RATES": {"django-rest-passwordreset-request-token": "1000000/s"}
    }
elif THROTTLES == "off":
    GRAPHQL_PASSWORDRESET = {
        "TOKEN_EXPIRY_HOURS": BENCH_TOKEN_EXPIRY_HOURS,
        "RATES": dict.fromkeys(_SCOPES),
    }
    # An empty tuple means DRF's DEFAULT_THROTTLE_CLASSES, which are empty by default.
    DJANGO_REST_PASSWORDRESET_THROTTLE_CLASSES = ()
else:
    raise RuntimeError(f"Unknown THROTTLES={THROTTLES!r}: use on or off.")

TEMPLATES: list[dict[str, object]] = []
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING_CONFIG = None
