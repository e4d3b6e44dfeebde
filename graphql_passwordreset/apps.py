from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GraphqlPasswordResetConfig(AppConfig):
    name = "graphql_passwordreset"
    verbose_name = _("GraphQL password reset")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks

        checks.register()
