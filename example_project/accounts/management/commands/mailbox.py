"""A local SMTP sink: receive the example's e-mails over real SMTP, print and save them."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.mail_folder import save_message

HOST = "127.0.0.1"  # never reachable from other machines


class PrintAndSave:
    """aiosmtpd handler: accept every message, print it and save it as an .eml file."""

    def __init__(self, command: BaseCommand, folder: Path) -> None:
        self.command = command
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        path = save_message(self.folder, raw)
        recipients = ", ".join(envelope.rcpt_tos)
        self.command.stdout.write(
            self.command.style.SUCCESS(f"From {envelope.mail_from} to {recipients}: saved {path}")
        )
        self.command.stdout.write(raw.decode("utf-8", "replace"))
        self.command.stdout.write("-" * 79)
        self.command.stdout.flush()
        return "250 Message accepted for delivery"


class Command(BaseCommand):
    help = (
        "Run an SMTP server on 127.0.0.1 that prints every message it receives and saves it in "
        "the mail folder. Point the example at it with EXAMPLE_EMAIL=smtp."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=settings.EXAMPLE_SMTP_PORT,
            help="Port to listen on (default: EXAMPLE_SMTP_PORT, or 1025).",
        )
        parser.add_argument(
            "--dir",
            dest="folder",
            type=Path,
            default=settings.EXAMPLE_MAIL_DIR,
            help="Folder for the .eml files (default: EXAMPLE_MAIL_DIR).",
        )

    def handle(self, *args: Any, port: int, folder: Path, **options: Any) -> None:
        try:
            from aiosmtpd.controller import Controller
        except ImportError as error:  # pragma: no cover - only without the e2e extra
            raise CommandError("aiosmtpd is missing: run `make install`.") from error

        controller = Controller(PrintAndSave(self, folder), hostname=HOST, port=port)
        try:
            controller.start()
        except OSError as error:
            raise CommandError(f"Cannot listen on {HOST}:{port}: {error}") from error
        stop = threading.Event()
        # `kill` (SIGTERM) stops the sink as cleanly as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(
            f"SMTP sink listening on {HOST}:{port}, saving messages in {folder}. "
            "Run the example with EXAMPLE_EMAIL=smtp to send here. Quit with Ctrl-C."
        )
        self.stdout.flush()
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
