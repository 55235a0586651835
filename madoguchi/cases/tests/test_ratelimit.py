"""Named rate limits on the public doors: intake per address, password reset per email."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case
from madoguchi.platform.models import OutboundEmail, TokenBucket


def _empty(policy: str, value: str) -> None:
    TokenBucket.objects.create(key=TokenBucket.hashed(policy, value), tokens=0.0)


def test_intake_from_an_address_with_an_empty_bucket_is_refused_and_kept_on_the_page(
    client: HttpClient, org_a: Any, sendai: Any,
) -> None:
    _empty("intake-ip", "127.0.0.1")
    response = client.post(reverse("cases:intake"), {"kind": "person", "name": "山田太郎", "municipality": "041009",
                                                     "need": "創業したい", "consent": "core_only"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "しばらく待ってから" in html and "創業したい" in html
    assert not Case.objects.exists()


def test_the_bucket_refills_with_time(db: None) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        assert all(TokenBucket.authorize("t", "x", capacity=2, per_seconds=60) for _ in range(2))
        assert not TokenBucket.authorize("t", "x", capacity=2, per_seconds=60)
        clock.shift(dt.timedelta(seconds=31))
        assert TokenBucket.authorize("t", "x", capacity=2, per_seconds=60)


def test_the_bucket_key_does_not_store_the_address(db: None) -> None:
    TokenBucket.authorize("intake-ip", "203.0.113.7", capacity=10, per_seconds=3600)
    assert "203.0.113.7" not in TokenBucket.objects.get().key


def test_password_reset_mail_to_one_address_is_limited(client: HttpClient, alice: User) -> None:
    _empty("reset-email", "alice@example.jp")
    response = client.post(reverse("password_reset"), {"email": "alice@example.jp"})
    assert response.status_code == 302  # the same answer as always: nothing revealed
    assert not OutboundEmail.objects.exists()
