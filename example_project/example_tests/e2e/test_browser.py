"""The front end in Debian's Chromium, against the live example server: the whole reset, the
way a user does it, with the keyboard only, and the friendly messages for what can go wrong.

Each step is saved as a screenshot in the artefacts folder (see conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql_passwordreset.errors import ErrorCode
from playwright.sync_api import expect

from .conftest import DEMO, ExampleServer, Screenshots, post_graphql

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Blue-Kettle-Morning-42"
# The front end's texts (example_project/accounts/static/accounts/messages.js).
TOO_COMMON = "This password is one of the most common ones"
LINK_USED = "This link has expired or has already been used."
SIGN_IN_FAILED = "This username and password do not match an account."
# RATES["request_address"] of the example's settings: 20 links an hour for one address.
REQUEST_LIMIT = 20
THROTTLED_PROBE = """mutation($email: String!) {
  requestPasswordReset(email: $email) { ok errors { code } }
}"""


def focused(page: Any) -> Any:
    return page.locator("*:focus")


def test_reset_password_in_the_browser(
    example_server: ExampleServer, page: Any, screenshots: Screenshots
) -> None:
    """Forgot password, the e-mail's link, a weak password refused, a good one accepted and
    the user signed in; the link is used up and the old password no longer signs in."""
    page.goto(example_server.url("/"))
    expect(page.get_by_label("Username")).to_be_focused()
    screenshots.take("sign-in")

    # Keyboard only: past the password field and the button to "Forgot your password?".
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Forgot your password?")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_be_focused()
    page.keyboard.type(DEMO["email"])
    screenshots.take("forgot-password")
    page.keyboard.press("Enter")
    done = page.get_by_role("heading", name="Check your inbox")
    expect(done).to_be_focused()
    expect(page.locator("#forgot-done")).to_contain_text(DEMO["email"])
    screenshots.take("check-your-inbox")

    mail = example_server.mailbox.expect(DEMO["email"])
    assert mail.subject == "Reset the password of demo on the example project"
    # The front end asked for a link to its own page (redirectUrl), on the server's origin.
    link = mail.reset_link
    assert link.startswith(example_server.url("/reset-password/?token="))

    page.goto(link)
    password = page.get_by_label("New password", exact=True)
    expect(password).to_be_focused()
    # The rules are there before the first attempt.
    expect(page.locator("#password-rules")).to_contain_text("at least 8 characters")
    screenshots.take("choose-a-new-password")

    # Wrong in three ways at once: a list of messages, the ⚠ level with its first item.
    page.keyboard.type("12345")
    page.keyboard.press("Tab")
    page.keyboard.type("12345")
    page.keyboard.press("Enter")
    error = page.locator("#password-error")
    expect(error.locator("li")).to_have_count(3)
    expect(password).to_be_focused()
    list_offset = error.evaluate(
        "slot => slot.querySelector('ul').getBoundingClientRect().top"
        " - slot.getBoundingClientRect().top"
    )
    assert abs(list_offset) < 2, f"the list starts {list_offset}px below the ⚠"
    screenshots.take("several-errors-in-a-list")

    page.keyboard.press("Control+A")
    page.keyboard.type("password1")  # on Django's list of common passwords
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("password1")
    page.keyboard.press("Enter")
    expect(error).to_contain_text(TOO_COMMON)
    expect(password).to_be_focused()
    expect(password).to_have_attribute("aria-invalid", "true")
    screenshots.take("weak-password-refused")

    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    changed = page.get_by_role("heading", name="Your password has been changed")
    expect(changed).to_be_focused()
    expect(page.locator("#reset-done")).to_contain_text("You are signed in as demo.")
    screenshots.take("password-changed-signed-in")

    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Continue")
    page.keyboard.press("Enter")
    signed_in = page.get_by_role("heading", name="You are signed in")
    expect(signed_in).to_be_focused()
    expect(page.locator("#signed-in")).to_contain_text("Signed in as demo (demo@example.com).")
    screenshots.take("signed-in")

    # The link works once.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_focused()
    expect(page.locator("#reset-invalid-reason")).to_contain_text(LINK_USED)
    screenshots.take("link-used-up")

    # Sign out, then the old password is refused and the new one works.
    page.goto(example_server.url("/"))
    expect(signed_in).to_be_focused()
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Sign out")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(DEMO["username"])
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO["password"])
    page.keyboard.press("Enter")
    summary = page.locator("#sign-in-form-error")
    expect(summary).to_contain_text(SIGN_IN_FAILED)
    expect(summary).to_be_focused()
    screenshots.take("old-password-refused")

    page.get_by_label("Password", exact=True).focus()
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(signed_in).to_be_focused()
    screenshots.take("signed-in-with-the-new-password")


def test_forgot_password_page_explains_what_went_wrong(
    example_server: ExampleServer, page: Any, screenshots: Screenshots
) -> None:
    page.goto(example_server.url("/forgot-password/"))
    email = page.get_by_label("E-mail address")
    expect(email).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#email-error")).to_have_text("Please enter your e-mail address.")
    expect(email).to_be_focused()

    page.keyboard.type("not-an-address")
    page.keyboard.press("Enter")
    expect(page.locator("#email-error")).to_contain_text("in the form name@example.com")
    expect(email).to_have_attribute("aria-invalid", "true")
    screenshots.take("invalid-email")

    # The page states the example's limit for one address (its settings' RATES)...
    expect(page.locator("#forgot-limit")).to_contain_text(
        f"we send at most {REQUEST_LIMIT} links an hour to one address"
    )
    # ...each request within it is answered like one for a known address...
    page.goto(example_server.url("/forgot-password/"))
    page.keyboard.type("nobody@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    for _ in range(REQUEST_LIMIT - 1):  # the rest of the allowance, straight to the API
        answer = post_graphql(example_server, THROTTLED_PROBE, {"email": "nobody@example.com"})
        assert answer == {"data": {"requestPasswordReset": {"ok": True, "errors": []}}}
    # ...and the next one says it is too many, and what the limit is.
    page.goto(example_server.url("/forgot-password/"))
    expect(email).to_be_focused()
    page.keyboard.type("nobody@example.com")
    page.keyboard.press("Enter")
    summary = page.locator("#forgot-form-error")
    expect(summary).to_contain_text("Too many attempts in a short time.")
    expect(summary).to_contain_text(f"at most {REQUEST_LIMIT} links an hour to one address.")
    expect(summary).to_be_focused()
    screenshots.take("throttled")


def test_reset_page_without_a_usable_link(
    example_server: ExampleServer, page: Any, screenshots: Screenshots
) -> None:
    page.goto(example_server.url("/reset-password/"))
    expect(page.locator("#reset-invalid-reason")).to_contain_text(
        "This page needs the link from the password reset e-mail."
    )
    page.goto(example_server.url("/reset-password/?token=NotARealToken123"))
    expect(page.locator("#reset-invalid-reason")).to_contain_text(LINK_USED)
    expect(page.locator("#reset")).to_be_hidden()
    screenshots.take("invalid-link")
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Ask for a new link")


def test_the_front_end_has_a_message_for_every_error_code(
    example_server: ExampleServer, page: Any
) -> None:
    page.goto(example_server.url("/forgot-password/"))
    messages = page.evaluate("window.ERROR_MESSAGES")
    assert sorted(messages) == sorted(code.name for code in ErrorCode)
    assert all(text.strip() for text in messages.values())


@pytest.mark.parametrize(
    "path", ["/", "/forgot-password/", "/reset-password/?token=NotARealToken123"]
)
def test_every_input_has_a_label(example_server: ExampleServer, page: Any, path: str) -> None:
    page.goto(example_server.url(path))
    labels = page.locator("input").evaluate_all(
        "inputs => inputs.map(input => [input.id, input.labels.length])"
    )
    assert labels
    assert all(count == 1 for _, count in labels), labels
