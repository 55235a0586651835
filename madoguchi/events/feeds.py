"""iCalendar and Atom feeds of published, upcoming events.

Calendar apps and feed readers poll these; each event keeps one stable id (its uuid), so an
edited event updates in place instead of appearing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from feedgen.feed import FeedGenerator
from icalendar import Calendar
from icalendar import Event as VEvent

from madoguchi.events.models import Event

TOKYO = ZoneInfo("Asia/Tokyo")


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def location_of(event: Event) -> str:
    parts = [event.venue, event.address]
    if event.online:
        parts.append(_("オンライン"))
    return " ".join(p for p in parts if p)


def ical_feed(events: Iterable[Event], title: str) -> bytes:
    """Return a VCALENDAR with one VEVENT per event, times in Asia/Tokyo (TZID)."""
    calendar = Calendar()
    calendar.add("prodid", "-//madoguchi//events//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    for event in events:
        vevent = VEvent()
        vevent.add("uid", f"{event.uuid}@madoguchi")
        vevent.add("summary", event.title)
        vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
        vevent.add("dtstart", event.starts_at.astimezone(TOKYO))
        vevent.add("dtend", event.ends_at.astimezone(TOKYO))
        vevent.add("last-modified", event.updated.astimezone(dt.UTC))
        if location := location_of(event):
            vevent.add("location", location)
        vevent.add("url", absolute(event.get_absolute_url()))
        vevent.add("description", f"{event.get_kind_display()}（{event.organization.display_name}）\n{event.description}")
        # No ORGANIZER: RFC 5545 wants a mailto: address there, and most institutions list none.
        vevent.add("categories", [str(event.get_kind_display())])
        vevent.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(vevent)
    # add_missing_timezones writes the VTIMEZONE that TZID=Asia/Tokyo refers to.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def atom_feed(events: list[Event], title: str, feed_path: str, page_path: str) -> bytes:
    """Return an Atom feed, one entry per event, newest change first in `updated`."""
    feed = FeedGenerator()
    feed.id(absolute(feed_path))
    feed.title(title)
    feed.link(href=absolute(page_path), rel="alternate")
    feed.link(href=absolute(feed_path), rel="self")
    feed.language("ja")
    feed.author({"name": "madoguchi"})
    latest = max((e.updated for e in events), default=timezone.now())
    feed.updated(latest)
    for event in events:  # soonest first, as on the page
        entry = feed.add_entry(order="append")
        entry.id(f"urn:uuid:{event.uuid}")
        entry.title(f"{event.title}（{timezone.localtime(event.starts_at):%Y-%m-%d %H:%M}）")
        entry.link(href=absolute(event.get_absolute_url()))
        entry.updated(event.updated)
        entry.published(event.created)
        entry.author({"name": event.organization.display_name})
        where = location_of(event)
        starts = timezone.localtime(event.starts_at)
        summary = f"{event.get_kind_display()} / {starts:%Y年%m月%d日 %H:%M}〜 / {where}\n{event.description}"
        entry.summary(summary)
        entry.category(term=event.kind, label=str(event.get_kind_display()))
    return feed.atom_str(pretty=True)
