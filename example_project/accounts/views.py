"""The page the reset link opens. A real project puts its front end here; the example hands
the token to GraphiQL, with the two remaining operations filled in."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

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


def reset_password_page(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token", "")
    context = {
        "token": token,
        "validate_link": graphiql_link(VALIDATE_DOCUMENT, {"token": token}),
        "confirm_link": graphiql_link(
            CONFIRM_DOCUMENT, {"token": token, "password": "type the new password here"}
        ),
    }
    return render(request, "accounts/reset_password.html", context)
