from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models


class UserManager(BaseUserManager["User"]):
    def create_user(self, handle: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(handle=handle, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, handle: str, password: str | None = None, **extra: Any) -> User:
        return self.create_user(handle, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """No ``username`` and no ``email``: a UUID key, signs in with ``handle``, and its e-mail
    field is ``email_address`` (not unique: several accounts may share an address)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    handle = models.CharField(max_length=150, unique=True)
    email_address = models.EmailField(blank=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "handle"
    EMAIL_FIELD = "email_address"
    REQUIRED_FIELDS = ["email_address"]
