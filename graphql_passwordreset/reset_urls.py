"""Reset links: which redirectUrl a client may ask for, and the link with the token in it."""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http.request import validate_host
from django.utils.http import url_has_allowed_host_and_scheme

from .addresses import encodable
from .conf import passwordreset_settings

__all__ = ["DEFAULT_PORTS", "MAX_URL_LENGTH", "redirect_url_allowed", "reset_url"]

MAX_URL_LENGTH = 2048


# The URL's scheme's own port: an ALLOWED_REDIRECT_HOSTS entry without a port allows only it.
DEFAULT_PORTS = {"http": 80, "https": 443}
# White space, control characters and invisible format characters (bidi overrides such as
# U+202E, zero-width characters): none belongs in a link, and some make it read otherwise.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


def redirect_url_allowed(url: str) -> bool:
    """An absolute https URL (http too in DEBUG), without user info, on an allowed host and
    port, with no white space, control or invisible format character."""
    if len(url) > MAX_URL_LENGTH or any(
        ch == "\\" or unicodedata.category(ch) in INVISIBLE_CATEGORIES for ch in url
    ):
        return False
    if not encodable(url):  # a lone surrogate cannot be percent-encoded into the reset URL
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    schemes = {"https", "http"} if settings.DEBUG else {"https"}
    if parts.scheme.lower() not in schemes or not parts.hostname:
        return False
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return False
    allowed = list(passwordreset_settings.ALLOWED_REDIRECT_HOSTS)
    host = parts.hostname
    if port is None or port == DEFAULT_PORTS[parts.scheme.lower()]:
        host_allowed = validate_host(host, allowed)
    else:  # another port must be named: "app.example.com:8443"
        host_allowed = validate_host(f"{host}:{port}", allowed)
    if not host_allowed:
        return False
    # Django's own guard against the remaining tricks (schemes, control characters, ...).
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={parts.netloc}, require_https=not settings.DEBUG
    )


def reset_url(base: str | None, key: str) -> str | None:
    """``base`` with ``token=<key>`` in its query string (replacing any token already there)."""
    if not base:
        return None
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    query.append(("token", key))
    return urlunsplit(parts._replace(query=urlencode(query)))
