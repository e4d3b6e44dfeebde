"""Settings of the example project: a local demo of graphql_passwordreset on SQLite.

Not for production: DEBUG is on, the secret key is public, and e-mails go to the console and a
folder. A few environment variables adapt it (all optional):

- EXAMPLE_BASE_URL: where the site is served, for the link in the e-mail (``make run`` sets it).
- EXAMPLE_DB_PATH: the SQLite file (the test suite points it at a throw-away copy).
- EXAMPLE_EMAIL: ``console`` (default: printed and saved to EXAMPLE_MAIL_DIR) or ``smtp`` (sent
  to the SMTP sink of ``make mailbox`` on 127.0.0.1:EXAMPLE_SMTP_PORT, default 1025).
- EXAMPLE_MAIL_DIR: where e-mails are saved as .eml files (default example_project/sent_emails).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import django
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-example-project-only-never-use-this-key"
)
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
EXAMPLE_BASE_URL = os.environ.get("EXAMPLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_EXAMPLE_BASE = urlsplit(EXAMPLE_BASE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",  # the front end's files, GraphiQL's and the admin's
    "graphene_django",
    "graphql_jwt.refresh_token",  # so a password reset can revoke refresh tokens
    "graphql_passwordreset",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Error messages follow the client's Accept-Language: try "de" for German.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # templates/graphene/graphiql.html: graphene-django's GraphiQL page with this site's
        # own copy of its files instead of a CDN's (it works offline).
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# EXAMPLE_DB_PATH lets the test suite migrate a throw-away database instead of this one.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB_PATH") or BASE_DIR / "db.sqlite3",
        "OPTIONS": {
            # Transactions take SQLite's write lock when they begin, not at their first write:
            # concurrent confirms of one token then run one after another, and all but the
            # first find the token gone (INVALID_TOKEN). SQLite's default, DEFERRED, lets them
            # read together and fail at the write with "database is locked", a generic error.
            "transaction_mode": "IMMEDIATE",
            # Seconds a transaction waits for that lock before giving up (Python's default: 5).
            "timeout": 20,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-graphql-jwt: tokenAuth / verifyToken / refreshToken, and `me` with a JWT.
AUTHENTICATION_BACKENDS = [
    "graphql_jwt.backends.JSONWebTokenBackend",
    "django.contrib.auth.backends.ModelBackend",
]
GRAPHENE = {
    "SCHEMA": "example_project.schema.schema",
    "MIDDLEWARE": ["graphql_jwt.middleware.JSONWebTokenMiddleware"],
}
GRAPHQL_JWT = {
    "JWT_LONG_RUNNING_REFRESH_TOKEN": True,
    "JWT_VERIFY_EXPIRATION": True,
    # Access tokens carry a fingerprint of the password they were issued under: after a reset,
    # tokens handed out before it are refused (docs: security, "Sessions after a reset").
    "JWT_PAYLOAD_HANDLER": "graphql_passwordreset.contrib.graphql_jwt.jwt_payload",
    "JWT_DECODE_HANDLER": "graphql_passwordreset.contrib.graphql_jwt.jwt_decode",
    # A refresh in flight during a reset cannot outlive it.
    "JWT_GET_REFRESH_TOKEN_HANDLER": "graphql_passwordreset.contrib.graphql_jwt.get_refresh_token",
}

GRAPHQL_PASSWORDRESET = {
    # The link in e-mails requested without redirectUrl (from GraphiQL, say) opens the front
    # end's "choose a new password" page (accounts/views.py).
    "RESET_URL": f"{EXAMPLE_BASE_URL}/reset-password/",
    # The front end asks for links to its own page with redirectUrl, which must be on one of
    # these hosts; an entry without a port allows the scheme's default port only, so the
    # example lists the port it is served on (http is accepted because DEBUG is on; outside
    # DEBUG only https is).
    "ALLOWED_REDIRECT_HOSTS": [
        f"{host}:{_EXAMPLE_BASE.port}" if _EXAMPLE_BASE.port else host
        for host in dict.fromkeys(["127.0.0.1", "localhost", _EXAMPLE_BASE.hostname or ""])
        if host
    ],
    # A successful reset answers with a JWT, so the front end signs the user in right away.
    "LOGIN_ON_CONFIRM": True,
    # Looser than the package's defaults (5 requests an hour per address, 20 per client
    # address, 60 validations and 60 confirms), which suit a public site: someone trying the
    # demo sends the demo user's address again and again from 127.0.0.1, and would be
    # THROTTLED after five links. These still show the throttle (the forgot-password page
    # states the limit and says when it is reached); a real project keeps the defaults or
    # picks its own.
    "RATES": {
        "request_address": "20/hour",
        "request_ip": "100/hour",
        "validate_ip": "300/hour",
        "confirm_ip": "300/hour",
    },
}

# E-mail: printed in the terminal that runs `make run` and saved as .eml files in
# EXAMPLE_MAIL_DIR, or, with EXAMPLE_EMAIL=smtp, sent over SMTP to `make mailbox`.
# `make mailbox` listens on EXAMPLE_SMTP_HOST:EXAMPLE_SMTP_PORT and saves what it receives
# there too.
EXAMPLE_MAIL_DIR = Path(os.environ.get("EXAMPLE_MAIL_DIR") or BASE_DIR / "sent_emails")
EXAMPLE_SMTP_HOST = "127.0.0.1"
EXAMPLE_SMTP_PORT = int(os.environ.get("EXAMPLE_SMTP_PORT", "1025"))
EXAMPLE_MAIL_BACKEND = {
    "console": "accounts.email_backends.ConsoleAndFolderEmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}.get(os.environ.get("EXAMPLE_EMAIL") or "console", "")
if not EXAMPLE_MAIL_BACKEND:
    raise ImproperlyConfigured("EXAMPLE_EMAIL must be 'console' or 'smtp'.")
# Django 6.1 configures mail with MAILERS (EMAIL_* are deprecated there); 5.2 with EMAIL_*.
# A receiver sending in the request waits at most this long for the mail server.
EXAMPLE_SMTP_TIMEOUT = 10
if django.VERSION >= (6, 1):
    MAILERS = {
        "default": {
            "BACKEND": EXAMPLE_MAIL_BACKEND,
            "OPTIONS": (
                {
                    "host": EXAMPLE_SMTP_HOST,
                    "port": EXAMPLE_SMTP_PORT,
                    "timeout": EXAMPLE_SMTP_TIMEOUT,
                }
                if os.environ.get("EXAMPLE_EMAIL") == "smtp"
                else {}
            ),
        }
    }
else:
    EMAIL_BACKEND = EXAMPLE_MAIL_BACKEND
    EMAIL_HOST = EXAMPLE_SMTP_HOST
    EMAIL_PORT = EXAMPLE_SMTP_PORT
    EMAIL_TIMEOUT = EXAMPLE_SMTP_TIMEOUT
DEFAULT_FROM_EMAIL = "Example project <noreply@example.com>"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "German")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# static/graphiql/: GraphiQL, React and their peers from npm (static/graphiql/README.md).
STATICFILES_DIRS = [BASE_DIR / "static"]

# A failing reset_password_token_created receiver is logged here with its traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"graphql_passwordreset": {"handlers": ["console"], "level": "INFO"}},
}
