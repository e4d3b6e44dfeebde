"""Create the demo account of the example project; running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

USERNAME = "demo"
EMAIL = "demo@example.com"
PASSWORD = "demo-Passw0rd"


class Command(BaseCommand):
    help = (
        f"Create the demo superuser {USERNAME!r} <{EMAIL}> unless it exists, and print how "
        "to sign in and where to look."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help=f"Also set the password of an existing demo user back to {PASSWORD!r}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        user, created = user_model._default_manager.get_or_create(
            username=USERNAME,
            defaults={"email": EMAIL, "is_staff": True, "is_superuser": True},
        )
        if created or options["reset_password"]:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            verb = "Created" if created else "Reset the password of"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb} the demo user: username {USERNAME}, e-mail {user.email}, "
                    f"password {PASSWORD}"
                )
            )
        else:
            # Leave the password alone: it may have been reset in the walkthrough on purpose.
            self.stdout.write(
                f"The demo user already exists: username {USERNAME}, e-mail {user.email}. Its "
                f"password was left as it is (initially {PASSWORD}; run this command with "
                "--reset-password to restore it)."
            )
        base = settings.EXAMPLE_BASE_URL
        self.stdout.write(
            f"  Sign in:          {base}/\n"
            f"  Forgot password:  {base}/forgot-password/\n"
            f"  GraphiQL:         {base}/graphql (Relay schema: {base}/graphql-relay)\n"
            f"  Admin:            {base}/admin/\n"
            f"  E-mails:          {self.mail_destination()}"
        )

    def mail_destination(self) -> str:
        if settings.EXAMPLE_MAIL_BACKEND.endswith(".smtp.EmailBackend"):
            address = f"{settings.EXAMPLE_SMTP_HOST}:{settings.EXAMPLE_SMTP_PORT}"
            return f"sent over SMTP to {address} (make mailbox)"
        return f"printed by the server and saved in {settings.EXAMPLE_MAIL_DIR}"
