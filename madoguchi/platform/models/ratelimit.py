"""Rate limits over database rows: a token bucket per key (the named policies are in ratelimit.py)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class TokenBucket(models.Model):
    # A hash, never the raw address or email: the table must not become a log of personal data.
    key = models.CharField(max_length=80, unique=True)
    tokens = models.FloatField(default=1.0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "cases_tokenbucket"  # born in cases; the table kept its name when the model moved
        verbose_name = "rate limit bucket"

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def hashed(policy: str, value: str) -> str:
        digest = hashlib.sha256(f"{settings.SECRET_KEY}:{policy}:{value}".encode()).hexdigest()
        return f"{policy}:{digest[:60]}"

    @classmethod
    def authorize(cls, policy: str, value: str, *, capacity: int, per_seconds: int) -> bool:
        """Take one token from the bucket (`capacity` tokens refilled over `per_seconds`); False if empty."""
        now = timezone.now()
        with transaction.atomic():
            bucket, _created = cls.objects.select_for_update().get_or_create(key=cls.hashed(policy, value))
            elapsed = (now - bucket.updated).total_seconds()
            tokens = min(1.0, bucket.tokens + max(elapsed, 0) / per_seconds) - 1.0 / capacity
            if tokens < 0:
                return False
            bucket.tokens, bucket.updated = tokens, now
            bucket.save(update_fields=["tokens", "updated"])
        return True
