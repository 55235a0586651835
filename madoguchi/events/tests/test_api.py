from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from madoguchi.directory.models import Organization, SupportFunction
from madoguchi.events.models import Event

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False):
        yield


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)


def make_event(org: Organization, slug: str, day: int, **fields: object) -> Event:
    values: dict[str, object] = {
        "organization": org, "title": f"イベント{day}", "slug": slug, "kind": Event.Kind.SEMINAR, "capacity": 30,
        "starts_at": dt.datetime(2026, 5, day, 14, 0, tzinfo=TOKYO), "ends_at": dt.datetime(2026, 5, day, 16, 0, tzinfo=TOKYO),
        "status": Event.Status.PUBLISHED, "fee": "無料",
    }
    return Event.objects.create(**{**values, **fields})


def test_event_item_shape_and_values(client: Client, org: Organization) -> None:
    event = make_event(org, "sogyo", 20, title="創業セミナー")
    event.register(name="一", email="1@example.jp")

    body = client.get("/api/events").json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == "sogyo"
    assert item["uuid"] == str(event.uuid)
    assert item["title"] == "創業セミナー"
    assert item["kind"] == "seminar" and item["kind_label"] == "セミナー"
    assert item["organization"] == {"id": "miyagi-ssc", "name": "(財)みやぎ産業振興機構"}
    assert item["starts_at"] == "2026-05-20T14:00:00+09:00"
    assert item["capacity"] == 30 and item["seats_left"] == 29
    assert item["registration_open"] is True
    assert item["url"] == "/events/sogyo/"


def test_events_list_only_upcoming_published_and_filters(client: Client, org: Organization) -> None:
    talent = SupportFunction.objects.create(code="talent", name="人材発掘・育成支援", short_name="人材", order=8)
    course = make_event(org, "course", 10, kind=Event.Kind.COURSE)
    course.functions.add(talent)
    make_event(org, "fair", 12, kind=Event.Kind.FAIR)
    make_event(org, "draft", 13, status=Event.Status.DRAFT)
    make_event(org, "past", 1, starts_at=dt.datetime(2026, 4, 1, 10, 0, tzinfo=TOKYO),
               ends_at=dt.datetime(2026, 4, 1, 12, 0, tzinfo=TOKYO))

    def ids(query: str = "") -> list[str]:
        return [i["id"] for i in client.get(f"/api/events?{query}").json()["items"]]

    assert ids() == ["course", "fair"]
    assert ids("kind=fair") == ["fair"]
    assert ids("function=talent") == ["course"]
    assert ids("organization=miyagi-ssc&limit=1&offset=1") == ["fair"]


def test_event_detail_and_unknown_or_draft_is_404_in_the_one_shape(client: Client, org: Organization) -> None:
    make_event(org, "sogyo", 20)
    make_event(org, "draft", 21, status=Event.Status.DRAFT)

    assert client.get("/api/events/sogyo").json()["id"] == "sogyo"
    for missing in ("nope", "draft"):
        response = client.get(f"/api/events/{missing}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_bad_event_parameters_give_422_naming_them(client: Client, db: None) -> None:
    for query, parameter in [("kind=party", "kind"), ("limit=500", "limit"), ("function=x", "function"),
                             ("organization=nobody", "organization"), ("municipality=1", "municipality")]:
        response = client.get(f"/api/events?{query}")
        assert response.status_code == 422, query
        assert response.json()["error"]["parameter"] == parameter


def test_event_list_takes_a_fixed_number_of_queries(client: Client, org: Organization, django_assert_max_num_queries) -> None:
    for day in range(2, 30):
        make_event(org, f"e{day}", day).register(name="一", email="1@example.jp")

    with django_assert_max_num_queries(3):
        body = client.get("/api/events?limit=100").json()

    assert body["count"] == 28
