from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event


@pytest.fixture
def admin_client_(db: None) -> Client:
    user = User.objects.create_superuser("admin", "admin@example.jp", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def event(db: None) -> Event:
    org = Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    start = timezone.now() + dt.timedelta(days=10)
    return Event.objects.create(organization=org, title="創業セミナー", capacity=1, status=Event.Status.PUBLISHED,
                                starts_at=start, ends_at=start + dt.timedelta(hours=2))


def test_staff_see_registrations_read_only_on_the_event(admin_client_: Client, event: Event) -> None:
    event.register(name="山田太郎", email="taro@example.jp")
    event.register(name="佐藤花子", email="hanako@example.jp")

    response = admin_client_.get(f"/admin/events/event/{event.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "山田太郎" in html and "佐藤花子" in html
    assert 'name="registrations-0-name"' not in html, "registrations are not editable here"


def test_event_admin_pages_open(admin_client_: Client, event: Event) -> None:
    assert admin_client_.get("/admin/events/event/").status_code == 200
    assert admin_client_.get("/admin/events/event/add/").status_code == 200
    assert admin_client_.get(f"/admin/events/event/{event.pk}/history/").status_code == 200
