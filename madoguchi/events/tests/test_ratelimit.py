from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event, Subscription
from madoguchi.platform.models import OutboundEmail, TokenBucket


def empty_bucket(policy: str, value: str) -> None:
    TokenBucket.objects.create(key=TokenBucket.hashed(policy, value), tokens=0.0)


@pytest.fixture
def event(db: None) -> Event:
    org = Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    start = timezone.now() + dt.timedelta(days=10)
    return Event.objects.create(organization=org, title="創業セミナー", slug="sogyo", capacity=10,
                                status=Event.Status.PUBLISHED, starts_at=start, ends_at=start + dt.timedelta(hours=2))


def test_registrations_from_one_address_are_limited(client: Client, event: Event) -> None:
    empty_bucket("ev-register-ip", "127.0.0.1")

    response = client.post("/events/sogyo/register/", {"name": "山田", "email": "y@example.jp", "consent": "on"})

    assert response.status_code == 429
    assert "しばらく時間をおいて" in response.content.decode()
    assert not event.registrations.exists()


def test_the_subscribe_form_cannot_flood_one_mailbox(client: Client, db: None) -> None:
    empty_bucket("ev-subscribe-mail", "victim@example.jp")

    response = client.post("/events/subscribe/", {"email": "Victim@example.jp", "consent": "on"})

    assert response.status_code == 429
    assert not Subscription.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_sign_ups_from_one_address_are_limited(client: Client, db: None) -> None:
    empty_bucket("ev-subscribe-ip", "127.0.0.1")

    response = client.post("/events/subscribe/", {"email": "taro@example.jp", "consent": "on"})

    assert response.status_code == 429
    assert not OutboundEmail.objects.exists()
