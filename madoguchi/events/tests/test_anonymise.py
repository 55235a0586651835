"""madoguchi anonymise-registrations: names and contact details of past events' registrants go,
the attendance figures stay."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event, Registration

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)


def event_with_registrations(org: Organization, title: str, day: dt.date) -> Event:
    """An event of capacity 2 on `day`, with 2 confirmed, 1 waiting and 1 cancelled registration."""
    starts = dt.datetime(day.year, day.month, day.day, 14, 0, tzinfo=TOKYO)
    event = Event.objects.create(
        organization=org, title=title, slug=f"event-{day:%Y%m%d}", starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2), capacity=2, status=Event.Status.PUBLISHED,
    )
    with time_machine.travel(starts - dt.timedelta(days=7)):
        people = [("山田太郎", "taro@example.jp"), ("佐藤花子", "hanako@example.jp"), ("鈴木一郎", "ichiro@example.jp"),
                  ("高橋次郎", "jiro@example.jp")]
        regs = [event.register(name=n, email=e, organization_name="山田製作所", phone="022-000-0000").registration
                for n, e in people]
        regs[3].cancel()  # 鈴木 stays on the waiting list: 高橋 was waiting too
    return event


def statuses(event: Event) -> Counter[str]:
    return Counter(event.registrations.values_list("status", flat=True))


def run(*args: str) -> str:
    out = StringIO()
    call_command("anonymise_registrations", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False)
def test_old_events_lose_names_and_contacts_but_keep_their_figures(client: Client, org: Organization) -> None:
    old = event_with_registrations(org, "昨年の創業セミナー", dt.date(2025, 3, 10))
    recent = event_with_registrations(org, "先月の商談会", dt.date(2026, 4, 10))
    before = statuses(old)

    output = run("--older-than", "365")

    assert "2025-03-10 昨年の創業セミナー: 4 件" in output
    assert "先月の商談会" not in output
    assert "4 件の参加申込を匿名化しました（イベントの終了から 365 日超）。" in output
    assert statuses(old) == before == Counter({"confirmed": 2, "waitlisted": 1, "cancelled": 1})
    assert old.confirmed_count() == 2
    for reg in old.registrations.all():
        assert (reg.name, reg.organization_name, reg.email, reg.phone) == ("（匿名化済み）", "", "", "")
        assert reg.anonymised_at is not None and reg.created < reg.anonymised_at
    first = old.registrations.first()
    assert first is not None
    page = client.get(first.get_absolute_url()).content.decode()
    assert "山田太郎" not in page and "taro@example.jp" not in page
    # the recent event's roll call is untouched
    assert sorted(recent.registrations.values_list("name", flat=True)) == ["佐藤花子", "山田太郎", "鈴木一郎", "高橋次郎"]
    assert not recent.registrations.filter(email="").exists()


@time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False)
def test_a_second_run_changes_nothing(org: Organization) -> None:
    event_with_registrations(org, "昨年の創業セミナー", dt.date(2025, 3, 10))
    run("--older-than", "30")
    first = list(Registration.objects.values_list("pk", "anonymised_at"))

    output = run("--older-than", "30")

    assert "0 件の参加申込を匿名化しました" in output
    assert list(Registration.objects.values_list("pk", "anonymised_at")) == first


@time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False)
def test_the_default_keeps_a_year(org: Organization) -> None:
    half_year = event_with_registrations(org, "半年前の交流会", dt.date(2025, 11, 1))
    event_with_registrations(org, "一年半前の講座", dt.date(2024, 11, 1))

    output = run()

    assert "一年半前の講座: 4 件" in output
    assert "半年前の交流会" not in output
    assert not half_year.registrations.filter(anonymised_at__isnull=False).exists()


@time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False)
def test_the_default_follows_the_retention_setting(org: Organization, settings: Any) -> None:
    settings.REGISTRATION_RETENTION_DAYS = 90
    event_with_registrations(org, "半年前の交流会", dt.date(2025, 11, 1))

    assert "半年前の交流会: 4 件" in run()


def test_a_negative_retention_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="--older-than には 0 以上の日数を指定してください"):
        run("--older-than", "-1")
