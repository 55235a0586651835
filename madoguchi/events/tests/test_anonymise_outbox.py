"""Anonymising an event's registrations reaches the outbox: no copy of a mail keeps a registrant's
name or address; the same person's mail about a later event is left alone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.db import models

from madoguchi.directory.models import Organization
from madoguchi.events import notify
from madoguchi.events.models import Event
from madoguchi.platform import mail
from madoguchi.platform.models import OutboundEmail

TOKYO = ZoneInfo("Asia/Tokyo")


def outbox_text(rows: models.QuerySet[OutboundEmail]) -> list[str]:
    """Every text column of each row."""
    columns = [f.attname for f in OutboundEmail._meta.fields
               if isinstance(f, models.CharField | models.TextField | models.JSONField)]
    return [" ".join(str(value) for value in row) for row in rows.values_list(*columns)]


def event_on(org: Organization, day: dt.date, slug: str) -> Event:
    starts = dt.datetime(day.year, day.month, day.day, 14, 0, tzinfo=TOKYO)
    return Event.objects.create(organization=org, title=f"セミナー {slug}", slug=slug, starts_at=starts,
                                ends_at=starts + dt.timedelta(hours=2), capacity=1, status=Event.Status.PUBLISHED)


@time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False)
def test_after_anonymising_no_outbox_row_names_the_registrants(db: None) -> None:
    org = Organization.objects.create(slug="miyagi-ssc", name="みやぎ産業振興機構", kind=Organization.Kind.CORE)
    old = event_on(org, dt.date(2025, 3, 10), "old")
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, tzinfo=TOKYO), tick=False):
        for name, email in (("山田太郎", "taro@example.jp"), ("佐藤花子", "hanako@example.jp")):
            notify.registration_received(old.register(name=name, email=email).registration)
        mail.send_all()
        notify.event_cancelled(old)  # still queued when the registrations are anonymised
    later = event_on(org, dt.date(2026, 6, 1), "later")
    notify.registration_received(later.register(name="山田太郎", email="taro@example.jp").registration)

    call_command("anonymise_registrations", "--older-than", "365")

    about_later = OutboundEmail.objects.filter(reference=f"events.registration:{later.registrations.get().pk}")
    for text in outbox_text(OutboundEmail.objects.exclude(pk__in=about_later)):
        for personal in ("山田", "taro@example.jp", "佐藤", "hanako@example.jp"):
            assert personal not in text
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.CANCELLED).count() == 2
    # The same person's confirmation for next month's seminar is theirs to receive.
    (confirmation,) = outbox_text(about_later)
    assert "山田太郎" in confirmation and "taro@example.jp" in confirmation
    assert mail.send_all() == 1
