from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts (example)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connected here, once the app registry is ready, so the receiver is always
        # registered, whichever module happens to be imported first.
        from graphql_passwordreset.signals import reset_password_token_created

        from . import receivers

        reset_password_token_created.connect(
            receivers.send_password_reset_email,
            dispatch_uid="accounts.send_password_reset_email",
        )
