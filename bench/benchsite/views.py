"""The floor: plain Django views doing each operation's database work by hand, on this
package's token table, with nothing else (no GraphQL, no serializer, no throttle).

What a package costs is the distance between its numbers and these."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from graphql_passwordreset.models import ResetPasswordToken, expiry_cutoff
from graphql_passwordreset.tokens import get_token_generator


def _body(request: HttpRequest) -> dict[str, Any]:
    data = json.loads(request.body)
    assert isinstance(data, dict)
    return data


def _live_token(key: str) -> ResetPasswordToken | None:
    """One SELECT: the token (joined with its user) when it is live and its user may reset."""
    token = ResetPasswordToken.objects.select_related("user").find(key)
    if token is None or token.is_expired() or not token.user.is_active:
        return None
    return token


@csrf_exempt
@require_POST
def request_token(request: HttpRequest) -> JsonResponse:
    """SELECT the users, then one transaction: DELETE their tokens and the expired ones,
    INSERT the new tokens."""
    email = str(_body(request)["email"])
    users = [
        user
        for user in get_user_model()._default_manager.filter(email__iexact=email)
        if user.is_active and user.has_usable_password()
    ]
    generator = get_token_generator()
    with transaction.atomic():
        ResetPasswordToken.objects.filter(
            Q(user__in=[user.pk for user in users]) | Q(created_at__lte=expiry_cutoff())
        ).delete()
        tokens = []
        for user in users:
            token = ResetPasswordToken(user=user)
            token.set_key(generator.generate_token())
            tokens.append(token)
        ResetPasswordToken.objects.bulk_create(tokens)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def validate_token(request: HttpRequest) -> JsonResponse:
    """One SELECT."""
    return JsonResponse({"valid": _live_token(str(_body(request)["token"])) is not None})


@csrf_exempt
@require_POST
def confirm(request: HttpRequest) -> JsonResponse:
    """SELECT the token, validate and hash the password, then one transaction: DELETE the
    token, UPDATE the password."""
    data = _body(request)
    token = _live_token(str(data["token"]))
    if token is None:
        return JsonResponse({"ok": False}, status=400)
    password = str(data["password"])
    try:
        password_validation.validate_password(password, token.user)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "errors": exc.messages}, status=400)
    user = token.user
    with transaction.atomic():
        deleted, _ = ResetPasswordToken.objects.filter(pk=token.pk).delete()
        if not deleted:
            return JsonResponse({"ok": False}, status=400)
        user.set_password(password)
        user.save(update_fields=["password"])
    return JsonResponse({"ok": True})
