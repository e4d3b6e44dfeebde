"""The floors the benchmark measures the packages from.

- ``DrfFloor``: a DRF ``APIView`` as django-rest-passwordreset's views are set up (no
  authentication, no permission), with a one-field serializer, no throttle and no database
  work. django-rest-passwordreset's own work is its time minus this view's.
- ``request_token``, ``validate_token``, ``confirm``: plain Django views doing each operation's
  database work by hand, on this package's token table, with nothing else (no GraphQL, no
  serializer, no throttle): what the SQL alone costs through Django.

GraphQL's floor, the no-op fields, is in ``schema.py``."""

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
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from graphql_passwordreset.models import ResetPasswordToken, expiry_cutoff
from graphql_passwordreset.tokens import get_token_generator


class _OneField(serializers.Serializer):  # type: ignore[type-arg]
    """One required string field, named by the view (``email`` or ``token``)."""

    def __init__(self, *args: Any, field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[field] = serializers.CharField()


class DrfFloor(APIView):
    """What DRF costs by itself for a django-rest-passwordreset-shaped call: parse the JSON
    body, validate it with a one-field serializer, answer ``{"status": "OK"}``."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()
    field = "token"

    def post(self, request: Request) -> Response:
        serializer = _OneField(data=request.data, field=self.field)
        serializer.is_valid(raise_exception=True)
        return Response({"status": "OK"})


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
