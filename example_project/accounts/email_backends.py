"""An e-mail backend for local development: print each message and keep a copy in a folder."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.core.mail.message import EmailMessage

from .mail_folder import save_message


class ConsoleAndFolderEmailBackend(ConsoleEmailBackend):
    """Django's console backend, plus an .eml copy of each message in EXAMPLE_MAIL_DIR.

    The console is what a developer watches; the folder is what a mail program can open (HTML
    part included) and what the end-to-end tests read the reset link from.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = settings.EXAMPLE_MAIL_DIR

    def write_message(self, message: EmailMessage) -> None:
        # One rendering for both copies: message() stamps a new Date and Message-ID each call.
        raw = message.message().as_bytes()
        path = save_message(self.folder, raw)
        self.stream.write(raw.decode("utf-8", "replace"))
        self.stream.write(f"\n(saved as {path})\n{'-' * 79}\n")
