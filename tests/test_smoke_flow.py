from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from graphql_passwordreset.models import ResetPasswordToken

from .conftest import NEW_PASSWORD, GraphQLClient


def test_full_reset_flow(gql: GraphQLClient, user: Any, captured: Any) -> None:
    email = getattr(user, user.get_email_field_name())
    assert gql.request_reset(email) == {"ok": True, "errors": []} | (
        {"clientMutationId": "cid-1"} if gql.relay else {}
    )
    key = captured.last_key
    assert gql.validate(key)["valid"] is True
    result = gql.confirm(key)
    assert result["ok"] is True, result
    user = get_user_model().objects.get(pk=user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert not ResetPasswordToken.objects.exists()
    assert gql.validate(key)["valid"] is False
