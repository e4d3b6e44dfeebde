"""What must never appear in an answer unless the client sent it, shared by the property tests
(tests/test_properties.py) and the fuzz run's checks (bench/fuzz_hooks.py)."""

from __future__ import annotations

import sys
from pathlib import Path

# Tracebacks, source paths, module names, the checkout and the virtualenv. Each user adds the
# package's generic "could not be processed" message in the form it can compare.
LEAK_MARKERS = (
    "Traceback",
    'File "',
    '.py", line',
    "site-packages",
    "graphql_passwordreset",
    "graphene_django",
    str(Path(__file__).resolve().parents[1]),
    sys.prefix,
)
