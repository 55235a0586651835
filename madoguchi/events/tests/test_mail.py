"""Registrants get their confirmation (with their registration page) and promotion by email,
queued in the site's one outbox (platform.OutboundEmail) and sent by `madoguchi worker`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event
from madoguchi.platform.models import OutboundEmail

TOKYO = ZoneInfo("Asia/Tokyo")
FORM = {"name": "山田太郎", "email": "taro@example.jp", "consent": "on"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False):
        yield


@pytest.fixture
def event(db: None) -> Event:
    org = Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    return Event.objects.create(
        organization=org, title="創業セミナー", slug="sogyo", capacity=1, status=Event.Status.PUBLISHED,
        starts_at=dt.datetime(2026, 5, 20, 14, 0, tzinfo=TOKYO), ends_at=dt.datetime(2026, 5, 20, 16, 0, tzinfo=TOKYO),
        venue="AER",
    )


def test_confirmation_email_carries_the_registration_page(client: Client, event: Event) -> None:
    client.post("/events/sogyo/register/", FORM)

    registration = event.registrations.get()
    mail = OutboundEmail.objects.get()
    assert mail.to == "taro@example.jp"
    assert mail.subject == "【参加確定】創業セミナー"
    assert f"http://127.0.0.1:8000/events/registrations/{registration.uuid}/" in mail.body
    assert "2026年05月20日 14:00" in mail.body


def test_waitlisted_registrant_is_told_their_position(client: Client, event: Event) -> None:
    event.register(name="先客", email="first@example.jp")

    client.post("/events/sogyo/register/", FORM)

    mail = OutboundEmail.objects.get(to="taro@example.jp")
    assert mail.subject == "【キャンセル待ち】創業セミナー"
    assert "キャンセル待ち 1 番目" in mail.body


def test_promoted_registrant_is_told_by_email(client: Client, event: Event) -> None:
    first = event.register(name="先客", email="first@example.jp").registration
    event.register(name="山田太郎", email="taro@example.jp")

    client.post(f"/events/registrations/{first.uuid}/cancel/")

    mail = OutboundEmail.objects.get(to="taro@example.jp")
    assert mail.subject.startswith("【参加確定】キャンセル待ちから繰り上がりました")


def test_a_repeated_registration_sends_no_second_email(client: Client, event: Event) -> None:
    client.post("/events/sogyo/register/", FORM)
    Client().post("/events/sogyo/register/", FORM)

    assert OutboundEmail.objects.count() == 1


def test_cancelling_the_event_in_the_admin_tells_everyone_still_registered(event: Event) -> None:
    from types import SimpleNamespace

    from django.contrib.admin.sites import site
    from django.contrib.auth.models import User
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    event.register(name="一", email="1@example.jp")
    gone = event.register(name="二", email="2@example.jp").registration
    gone.cancel()
    event.register(name="三", email="3@example.jp")
    OutboundEmail.objects.all().delete()
    request = RequestFactory().post("/admin/")
    request.user = User.objects.create_superuser("admin", "admin@example.jp", "pw-for-tests-only")
    request.session = {}  # type: ignore[assignment]  # a dict stands in for the session (no middleware here)
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # what MessageMiddleware would set

    event.status = Event.Status.CANCELLED
    site._registry[Event].save_model(request, event, SimpleNamespace(changed_data=["status"]), change=True)

    mails = OutboundEmail.objects.order_by("to")
    assert [m.to for m in mails] == ["1@example.jp", "3@example.jp"]
    assert mails[0].subject == "【中止のお知らせ】創業セミナー"
