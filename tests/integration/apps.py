"""The worker's receivers, connected in AppConfig.ready() as a project connects its own."""

from __future__ import annotations

from django.apps import AppConfig


class WorkerReceiversConfig(AppConfig):
    name = "tests.integration"
    label = "services_worker"

    def ready(self) -> None:
        from graphql_passwordreset.mail import send_password_reset_email
        from graphql_passwordreset.signals import reset_password_token_created

        from . import receivers

        # In this order: a failing receiver must not keep the mail from going out.
        for receiver in (receivers.record_signal, receivers.fail_for_marked_users):
            reset_password_token_created.connect(receiver, dispatch_uid=receiver.__name__)
        reset_password_token_created.connect(
            send_password_reset_email, dispatch_uid="send_password_reset_email"
        )
