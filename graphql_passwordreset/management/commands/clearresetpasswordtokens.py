from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from graphql_passwordreset.models import ResetPasswordToken


class Command(BaseCommand):
    help = "Deletes expired password reset tokens (TOKEN_EXPIRY_HOURS)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, _ = ResetPasswordToken.objects.expired().delete()
        message = ngettext(
            "Deleted %(count)d expired password reset token.",
            "Deleted %(count)d expired password reset tokens.",
            deleted,
        ) % {"count": deleted}
        self.stdout.write(self.style.SUCCESS(message))
