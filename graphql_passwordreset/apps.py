from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GraphqlPasswordResetConfig(AppConfig):
    name = "graphql_passwordreset"
    verbose_name = _("GraphQL password reset")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.apps import apps

        from . import checks

        checks.register()
        if apps.is_installed("graphql_jwt.refresh_token"):
            # Imported only where django-graphql-jwt's refresh tokens are in use.
            from .contrib import graphql_jwt

            graphql_jwt.connect_signals()
