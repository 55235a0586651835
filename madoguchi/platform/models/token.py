"""API tokens: an institution's system acts as one of its staff users. Only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def issue(self, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token for `user`; returns (token row, the raw token shown once)."""
        raw = "mdg_" + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw))
        return token, raw

    def authenticate(self, raw: str) -> ApiToken | None:
        token = self.filter(token_hash=hash_token(raw), revoked_at__isnull=True).select_related("user").first()
        if token is None or not token.user.is_active:
            return None
        self.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("先頭文字"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "cases_apitoken"  # born in cases; the table kept its name when the model moved
        verbose_name = _("API トークン")
        verbose_name_plural = _("API トークン")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
