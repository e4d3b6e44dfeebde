"""The mail folder: every e-mail the example sends (or `make mailbox` receives) as an .eml file.

One file per message, named so that a plain ``ls`` lists them oldest first, and written under a
temporary name first, so whoever watches the folder (a person, the end-to-end tests) never reads
half a message.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path


def save_message(folder: Path, raw: bytes) -> Path:
    """Write one message (RFC 5322 bytes) into ``folder``; return the new file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
    partial = folder / f".{name}.partial"
    partial.write_bytes(raw)
    return partial.replace(folder / name)
