"""GraphiQL at /graphql works without the internet: Chromium may reach 127.0.0.1 only.

graphene-django's own page loads GraphiQL, React and their peers from a CDN; the example's
template (example_project/templates/graphene/graphiql.html) serves its own copy of them
(example_project/static/graphiql/). The front end's "For developers" links open it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import ExampleServer, Screenshots

pytestmark = pytest.mark.e2e


@pytest.fixture
def offline_page(page: Any) -> Any:
    """``page`` with every request to anywhere but 127.0.0.1 aborted; ``page.blocked`` lists
    what was attempted."""
    page.blocked = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            page.blocked.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_local)
    return page


def test_graphiql_runs_offline_from_the_reset_pages_developer_link(
    example_server: ExampleServer, offline_page: Any, screenshots: Screenshots
) -> None:
    page = offline_page
    page.goto(example_server.url("/reset-password/?token=NotARealToken123"))
    page.get_by_text("For developers: the same steps in GraphiQL").click()
    link = page.get_by_role("link", name="check the token")
    assert link.get_attribute("href").startswith("/graphql#query=")
    link.click()

    # GraphiQL rendered: the query editor with the link's document, the docs button.
    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_contain_text("validateResetToken(token: $token)")
    expect(page.locator(".graphiql-editor-tool")).to_contain_text("NotARealToken123")
    docs = page.get_by_role("button", name="Show Documentation Explorer")
    expect(docs).to_be_visible()

    # The query runs against this server and shows its answer.
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text('"valid": false')
    expect(response).to_contain_text('"code": "INVALID_TOKEN"')

    # The docs pane reads the schema the page introspected.
    docs.click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Root Types")
    screenshots.take("graphiql-offline")

    assert page.blocked == [], f"GraphiQL asked for files from elsewhere: {page.blocked}"


def test_graphiql_files_are_served_by_the_example(
    example_server: ExampleServer, offline_page: Any
) -> None:
    """Every script and stylesheet of the page comes from the server itself, and passes the
    integrity check graphene-django's hashes ask for (a mismatch would leave it unloaded)."""
    page = offline_page
    page.goto(example_server.url("/graphql"))
    expect(page.get_by_role("button", name="Show Documentation Explorer")).to_be_visible()
    sources = page.locator("script[src], link[rel=stylesheet]").evaluate_all(
        "elements => elements.map(element => [element.src || element.href, element.integrity])"
    )
    assert len(sources) == 8, sources  # 2 stylesheets, 6 scripts
    for url, _integrity in sources:
        assert url.startswith(example_server.url("/static/")), url
    # All but graphene-django's own graphiql.js, which its template loads without a hash.
    assert sum(1 for _url, integrity in sources if integrity.startswith("sha256-")) == 7
    assert page.blocked == []
