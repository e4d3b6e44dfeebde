"""Fixtures of the service tests: they need the file database of tests.integration.settings,
which the processes they start share with pytest."""

from __future__ import annotations

import os

import pytest
from django.conf import settings


@pytest.fixture(autouse=True, scope="session")
def _shared_database() -> None:
    """Fail at once, with the fix, when run without the settings that put the test database
    in a file (with tests.settings it is in memory, which no other process can see)."""
    shared = os.environ.get("SERVICES_DB")
    if not shared or settings.DATABASES["default"].get("TEST", {}).get("NAME") != shared:
        pytest.fail(
            "the service tests need --ds=tests.integration.settings: run `make test-services`",
            pytrace=False,
        )
