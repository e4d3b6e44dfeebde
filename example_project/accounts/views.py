"""The front end's pages: sign in, "forgot password", and "choose a new password" (the page the
reset link opens).

The pages are plain HTML; static/accounts/app.js fills them in by talking to /graphql, as a
single-page front end on another stack would. Django renders only what the browser cannot know:
the password rules of AUTH_PASSWORD_VALIDATORS, and the URLs.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

VALIDATE_DOCUMENT = """\
query Validate($token: String!) {
  validateResetToken(token: $token) {
    valid
    errors { field message code }
  }
}
"""

CONFIRM_DOCUMENT = """\
mutation Confirm($token: String!, $password: String!) {
  confirmPasswordReset(token: $token, password: $password) {
    ok
    errors { field message code }
    token
    refreshToken
  }
}
"""


def graphiql_link(document: str, variables: dict[str, Any]) -> str:
    """A link that opens GraphiQL with ``document`` and ``variables`` already typed in."""
    # graphene-django's GraphiQL reads them from the URL fragment, decoded with
    # decodeURIComponent, so spaces must be %20 (quote), not "+" (quote_plus).
    fragment = urlencode(
        {"query": document, "variables": json.dumps(variables, indent=2)}, quote_via=quote
    )
    return f"{reverse('graphql')}#{fragment}"


def sign_in_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sign_in.html", {"page": "sign-in"})


PER_PERIOD = {"second": "a second", "minute": "a minute", "hour": "an hour", "day": "a day"}


def request_limit() -> str:
    """The throttle on links for one address (RATES["request_address"]) in words, "20 links
    an hour"; "" when the example's settings leave it out."""
    rate = settings.GRAPHQL_PASSWORDRESET.get("RATES", {}).get("request_address")
    if not rate:
        return ""
    count, period = rate.split("/")
    return f"{count} link{'' if count == '1' else 's'} {PER_PERIOD[period]}"


def forgot_password_page(request: HttpRequest) -> HttpResponse:
    context = {"page": "forgot-password", "request_limit": request_limit()}
    return render(request, "accounts/forgot_password.html", context)


def reset_password_page(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token", "")
    context = {
        "page": "reset-password",
        "password_rules": password_validators_help_texts(),
        # For developers: the same two steps in GraphiQL, the token filled in.
        "validate_link": graphiql_link(VALIDATE_DOCUMENT, {"token": token}),
        "confirm_link": graphiql_link(
            CONFIRM_DOCUMENT, {"token": token, "password": "type the new password here"}
        ),
    }
    response = render(request, "accounts/reset_password.html", context)
    # The token is in this page's URL: keep it out of the Referer of anything the page loads
    # or links to.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
