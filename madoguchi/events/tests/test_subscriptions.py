"""Mail subscriptions by interest (double opt-in) and the daily digest."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from madoguchi.directory.models import Organization, SupportFunction
from madoguchi.events.models import Digest, Event, Subscription
from madoguchi.events.subscriptions import send_digests
from madoguchi.platform.models import OutboundEmail

TOKYO = ZoneInfo("Asia/Tokyo")
MAY1 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(MAY1, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market(db: None) -> SupportFunction:
    return SupportFunction.objects.create(code="market", name="販路開拓支援", short_name="販路開拓", order=6)


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)


def publish(org: Organization, title: str, kind: str = Event.Kind.SEMINAR, *functions: SupportFunction) -> Event:
    event = Event.objects.create(
        organization=org, title=title, kind=kind, status=Event.Status.PUBLISHED,
        starts_at=dt.datetime(2026, 6, 10, 14, 0, tzinfo=TOKYO), ends_at=dt.datetime(2026, 6, 10, 16, 0, tzinfo=TOKYO),
    )
    event.functions.set(functions)
    return event


def manage_url(body: str) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/events/subscriptions/[0-9a-f-]+/)", body)
    assert match, body
    return match.group(1)


def subscribe_and_confirm(client: Client, email: str, **interests: object) -> Subscription:
    client.post("/events/subscribe/", {"email": email, "consent": "on", **interests})
    url = manage_url(OutboundEmail.objects.filter(to=email).latest("pk").body)
    client.post(url + "confirm/")
    return Subscription.objects.get(email=email, unsubscribed_at__isnull=True)


def test_signing_up_sends_a_confirmation_and_nothing_else_until_confirmed(client: Client, org: Organization, frozen_clock) -> None:
    response = client.post("/events/subscribe/", {"email": "Taro@Example.jp", "consent": "on"})

    assert "確認メールを送りました" in response.content.decode()
    mail = OutboundEmail.objects.get()
    assert mail.to == "taro@example.jp"
    assert "配信を開始する" in mail.body
    frozen_clock.shift(dt.timedelta(hours=1))
    publish(org, "創業セミナー")
    frozen_clock.shift(dt.timedelta(hours=1))
    assert send_digests() == 0


def test_confirmed_subscriber_gets_one_digest_a_day_of_newly_published_matching_events(
    client: Client, org: Organization, market: SupportFunction, frozen_clock
) -> None:
    subscription = subscribe_and_confirm(client, "taro@example.jp", functions=["market"])
    frozen_clock.shift(dt.timedelta(hours=1))
    publish(org, "みやぎビジネスマーケット", Event.Kind.BUSINESS_MEETING, market)
    publish(org, "経理セミナー")  # not about 販路開拓

    frozen_clock.shift(dt.timedelta(hours=1))
    first, again = send_digests(), send_digests()

    assert (first, again) == (1, 0)
    digest = OutboundEmail.objects.filter(to="taro@example.jp", subject__contains="新しいイベント").get()
    assert "みやぎビジネスマーケット" in digest.body
    assert "経理セミナー" not in digest.body
    assert subscription.get_absolute_url() in digest.body, "every digest carries the way to stop it"
    assert Digest.objects.get().event_count == 1


def test_next_days_digest_has_only_what_was_published_since(
    client: Client, org: Organization, frozen_clock
) -> None:
    subscribe_and_confirm(client, "taro@example.jp")
    frozen_clock.shift(dt.timedelta(hours=1))
    publish(org, "一日目のセミナー")
    frozen_clock.shift(dt.timedelta(hours=1))
    send_digests()
    frozen_clock.shift(dt.timedelta(days=1))
    publish(org, "二日目の交流会", Event.Kind.NETWORKING)
    frozen_clock.shift(dt.timedelta(hours=1))

    call_command("send_event_digests")

    latest = OutboundEmail.objects.filter(subject__contains="新しいイベント").latest("pk")
    assert "二日目の交流会" in latest.body and "一日目のセミナー" not in latest.body


def test_kinds_filter_the_digest(client: Client, org: Organization, frozen_clock) -> None:
    subscribe_and_confirm(client, "taro@example.jp", kinds=["fair"])
    frozen_clock.shift(dt.timedelta(hours=1))
    publish(org, "セミナー")
    frozen_clock.shift(dt.timedelta(hours=1))

    assert send_digests() == 0


def test_unsubscribed_gets_nothing(client: Client, org: Organization, frozen_clock) -> None:
    subscription = subscribe_and_confirm(client, "taro@example.jp")
    client.post(f"/events/subscriptions/{subscription.uuid}/unsubscribe/")
    frozen_clock.shift(dt.timedelta(hours=1))
    publish(org, "セミナー")
    frozen_clock.shift(dt.timedelta(hours=1))

    assert send_digests() == 0
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_signing_up_a_known_address_changes_nothing_and_mails_its_owner(client: Client, market: SupportFunction) -> None:
    subscription = subscribe_and_confirm(client, "taro@example.jp", functions=["market"])

    response = Client().post("/events/subscribe/", {"email": "taro@example.jp", "consent": "on", "kinds": ["fair"]})

    assert "確認メールを送りました" in response.content.decode()
    assert str(subscription.uuid) not in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.kinds == []
    assert Subscription.objects.count() == 1
    assert "すでに" in OutboundEmail.objects.latest("pk").body


def test_subscriber_changes_interests_on_their_page(client: Client, market: SupportFunction) -> None:
    subscription = subscribe_and_confirm(client, "taro@example.jp")

    client.post(f"/events/subscriptions/{subscription.uuid}/", {"functions": ["market"], "kinds": ["seminar"]})

    subscription.refresh_from_db()
    assert subscription.kinds == ["seminar"]
    assert [f.code for f in subscription.functions.all()] == ["market"]


def test_subscribe_needs_consent_and_csrf(db: None) -> None:
    refused = Client().post("/events/subscribe/", {"email": "taro@example.jp"})
    forged = Client(enforce_csrf_checks=True).post("/events/subscribe/", {"email": "taro@example.jp", "consent": "on"})

    assert refused.status_code == 400
    assert "同意が必要です" in refused.content.decode()
    assert forged.status_code == 403
    assert not Subscription.objects.exists()


def test_an_event_drafted_before_but_published_after_the_last_digest_is_announced(
    client: Client, org: Organization, frozen_clock
) -> None:
    draft = Event.objects.create(
        organization=org, title="前から準備していた商談会", status=Event.Status.DRAFT,
        starts_at=dt.datetime(2026, 6, 10, 14, 0, tzinfo=TOKYO), ends_at=dt.datetime(2026, 6, 10, 16, 0, tzinfo=TOKYO),
    )
    frozen_clock.shift(dt.timedelta(hours=1))
    subscribe_and_confirm(client, "taro@example.jp")
    frozen_clock.shift(dt.timedelta(hours=1))
    draft.status = Event.Status.PUBLISHED
    draft.save()
    frozen_clock.shift(dt.timedelta(hours=1))

    assert send_digests() == 1
    assert "前から準備していた商談会" in OutboundEmail.objects.latest("pk").body


def test_subscribe_page_and_manage_page_open(client: Client, market: SupportFunction) -> None:
    subscription = subscribe_and_confirm(client, "taro@example.jp")

    assert "関心のある支援機能" in client.get("/events/subscribe/").content.decode()
    page = client.get(f"/events/subscriptions/{subscription.uuid}/").content.decode()
    assert "配信中" in page and "配信を停止する" in page
