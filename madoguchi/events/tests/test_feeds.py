"""The iCalendar and Atom feeds, read back with icalendar and an XML parser."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar, vDDDTypes

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event

TOKYO = ZoneInfo("Asia/Tokyo")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False):
        yield


@pytest.fixture
def events(db: None) -> dict[str, Event]:
    core = Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    city = Organization.objects.create(slug="sendai-icd", name="仙台市産業振興事業団", kind=Organization.Kind.SUPPORT)

    def make(org: Organization, title: str, day: int, **fields: object) -> Event:
        values: dict[str, object] = {
            "organization": org, "title": title, "slug": f"e{day}", "kind": Event.Kind.BUSINESS_MEETING,
            "starts_at": dt.datetime(2026, 5, day, 13, 0, tzinfo=TOKYO),
            "ends_at": dt.datetime(2026, 5, day, 17, 0, tzinfo=TOKYO),
            "venue": "仙台国際センター", "address": "仙台市青葉区青葉山", "status": Event.Status.PUBLISHED,
        }
        return Event.objects.create(**{**values, **fields})

    return {
        "market": make(core, "みやぎビジネスマーケット", 21),
        "city": make(city, "ものづくり交流会", 22, kind=Event.Kind.NETWORKING),
        "draft": make(core, "下書き", 23, status=Event.Status.DRAFT),
    }


def test_ics_has_one_vevent_per_published_upcoming_event_in_tokyo_time(client: Client, events: dict[str, Event]) -> None:
    response = client.get("/events/feed.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    vevents = calendar.walk("VEVENT")
    assert [str(v["SUMMARY"]) for v in vevents] == ["みやぎビジネスマーケット", "ものづくり交流会"]
    market = vevents[0]
    assert str(market["UID"]) == f"{events['market'].uuid}@madoguchi"
    start = market["DTSTART"]
    assert isinstance(start, vDDDTypes) and start.dt == dt.datetime(2026, 5, 21, 13, 0, tzinfo=TOKYO)
    assert market["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert market["DTEND"].params["TZID"] == "Asia/Tokyo"
    assert str(market["LOCATION"]) == "仙台国際センター 仙台市青葉区青葉山"
    assert str(market["URL"]) == "http://127.0.0.1:8000/events/e21/"
    assert calendar.walk("VTIMEZONE"), "TZID=Asia/Tokyo needs its VTIMEZONE"


def test_ics_for_one_organization(client: Client, events: dict[str, Event]) -> None:
    calendar = Calendar.from_ical(client.get("/events/feed.ics?organization=sendai-icd").content)

    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["ものづくり交流会"]


def test_feed_of_an_unknown_organization_is_404(client: Client, events: dict[str, Event]) -> None:
    assert client.get("/events/feed.ics?organization=nobody").status_code == 404
    assert client.get("/events/feed.atom?organization=nobody").status_code == 404


def test_atom_feed_parses_and_links_each_event(client: Client, events: dict[str, Event]) -> None:
    response = client.get("/events/feed.atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["みやぎビジネスマーケット（2026-05-21 13:00）", "ものづくり交流会（2026-05-22 13:00）"]
    assert entries[0].findtext(f"{ATOM}id") == f"urn:uuid:{events['market'].uuid}"
    link = entries[0].find(f"{ATOM}link")
    assert link is not None and link.get("href") == "http://127.0.0.1:8000/events/e21/"


def test_one_event_as_a_calendar_file(client: Client, events: dict[str, Event]) -> None:
    response = client.get("/events/e21/event.ics")

    calendar = Calendar.from_ical(response.content)
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["みやぎビジネスマーケット"]
    assert "attachment" in response["Content-Disposition"]
