"""Read-only admin for reset tokens: nothing usable as a token is shown; delete revokes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ResetPasswordToken


@admin.register(ResetPasswordToken)
class ResetPasswordTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "created_at", "expires_at", "is_live", "ip_address", "failed_attempts")
    list_filter = ("created_at",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "created_at", "ip_address", "user_agent", "failed_attempts")
    readonly_fields = fields

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # The user model is the project's: search by whatever identifies its users.
        user_model: Any = get_user_model()
        names = {user_model.USERNAME_FIELD, user_model.get_email_field_name()}
        concrete = {field.name for field in user_model._meta.get_fields() if field.concrete}
        return [f"user__{name}" for name in sorted(names & concrete)]

    @admin.display(boolean=True, description=_("live"))
    def is_live(self, obj: ResetPasswordToken) -> bool:
        return not obj.is_expired()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
