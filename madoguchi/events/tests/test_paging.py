"""The public event list comes a page at a time with its count; page links keep the filter."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event
from madoguchi.events.views import PAGE_SIZE


def test_the_event_list_is_paged_with_its_count_and_keeps_the_filter(client: Client, db: None) -> None:
    org = Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    start = timezone.now() + dt.timedelta(days=3)
    for i in range(PAGE_SIZE + 2):
        Event.objects.create(organization=org, title=f"セミナー{i:02d}", kind=Event.Kind.SEMINAR, slug=f"s{i:02d}",
                             status=Event.Status.PUBLISHED, starts_at=start + dt.timedelta(hours=i),
                             ends_at=start + dt.timedelta(hours=i, minutes=30))

    html = client.get("/events/?kind=seminar").content.decode()

    assert f"{PAGE_SIZE + 2}件のイベント" in html and "1 / 2 ページ" in html
    assert 'href="?kind=seminar&amp;page=2"' in html
    page2 = client.get("/events/?kind=seminar&page=2").content.decode()
    assert "セミナー21" in page2 and "セミナー00" not in page2
