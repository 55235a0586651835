"""Events in the one-stop search: found by a plain question, linked to their page, only while
one can still attend them, and narrowed with the 種類 filter on the page, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from madoguchi.directory.models import Municipality, Organization, SupportFunction
from madoguchi.events.models import Event
from madoguchi.search import service
from madoguchi.search.documents import rebuild_all
from madoguchi.search.models import SearchDocument
from madoguchi.search.service import search

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO)
QUESTION = "起業の準備で事業計画の書き方を教わりたい"


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def fresh_corpus(settings: Any, tmp_path: Path) -> Iterator[None]:
    # The corpus is cached per process and on disk under the index version and its time; with
    # the clock frozen two tests' versions look alike, so each test gets its own cache too.
    settings.VAR_DIR = tmp_path
    service._corpus = None
    yield
    service._corpus = None


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(
        slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE,
        description="県内中小企業の経営相談と取引のあっせんを行う",
    )


def make_event(org: Organization, title: str = "みやぎ創業塾 事業計画セミナー", day: int = 20, **fields: object) -> Event:
    values: dict[str, object] = {
        "organization": org, "title": title, "kind": Event.Kind.SEMINAR, "slug": f"event-{day}",
        "description": "これから起業する方のための講座です。事業計画書の書き方を専門家が教えます。",
        "starts_at": dt.datetime(2026, 5, day, 14, 0, tzinfo=TOKYO),
        "ends_at": dt.datetime(2026, 5, day, 16, 30, tzinfo=TOKYO),
        "venue": "AER 28階 大研修室", "status": Event.Status.PUBLISHED,
    }
    values.update(fields)
    return Event.objects.create(**values)


def event_ids(**filters: Any) -> list[str]:
    return [h.id for h in search(QUESTION, **filters).results if h.kind == "event"]


def test_an_upcoming_seminar_is_found_by_a_plain_question_and_links_to_its_page(client: Client, org: Organization) -> None:
    event = make_event(org)

    html = client.get("/search/", {"q": QUESTION}).content.decode()

    assert "みやぎ創業塾 事業計画セミナー" in html
    assert f'href="{event.get_absolute_url()}"' in html
    assert '<span class="badge">イベント</span>' in html
    # the organizer is named and linked, as for a program
    assert 'href="/organizations/miyagi-ssc/"' in html
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    assert "みやぎ創業塾 事業計画セミナー" in page.content.decode()


def test_the_hit_carries_the_organizer_and_its_reasons(org: Organization) -> None:
    make_event(org)

    hit = next(h for h in search(QUESTION).results if h.kind == "event")

    assert (hit.name, hit.organization, hit.organization_id) == ("みやぎ創業塾 事業計画セミナー", "(財)みやぎ産業振興機構", "miyagi-ssc")
    assert "「計画」が名称に一致" in hit.reasons
    assert "(財)みやぎ産業振興機構が主催" in hit.reasons


def test_drafts_and_cancelled_events_are_not_found(org: Organization) -> None:
    make_event(org, "下書きの事業計画セミナー", day=20, status=Event.Status.DRAFT)
    make_event(org, "中止の事業計画セミナー", day=21, status=Event.Status.CANCELLED)

    assert event_ids() == []
    rebuild_all()
    assert event_ids() == []
    assert not SearchDocument.objects.filter(kind="event").exists()


def test_cancelling_an_event_removes_it_from_the_search(org: Organization) -> None:
    event = make_event(org)
    assert event_ids() == ["event-20"]

    event.status = Event.Status.CANCELLED
    event.save()

    assert event_ids() == []


def test_publishing_a_draft_makes_it_searchable_and_deleting_removes_it(org: Organization) -> None:
    event = make_event(org, status=Event.Status.DRAFT)
    assert event_ids() == []

    event.status = Event.Status.PUBLISHED
    event.save()
    assert event_ids() == ["event-20"]

    event.delete()
    assert event_ids() == []


def test_an_ended_event_is_not_indexed_by_reindex(org: Organization) -> None:
    make_event(org, "終わった事業計画セミナー", day=1, starts_at=dt.datetime(2026, 4, 1, 14, 0, tzinfo=TOKYO),
               ends_at=dt.datetime(2026, 4, 1, 16, 0, tzinfo=TOKYO))
    make_event(org)

    out = StringIO()
    call_command("reindex", stdout=out)

    assert "event" in out.getvalue()
    assert list(SearchDocument.objects.filter(kind="event").values_list("object_id", flat=True)) == ["event-20"]


def test_the_daily_run_takes_events_that_ended_out_of_the_search(
    org: Organization, frozen_clock: time_machine.Traveller
) -> None:
    make_event(org, day=20)
    make_event(org, "みやぎ創業塾 事業計画セミナー（第2回）", day=27)
    assert event_ids() == ["event-20", "event-27"] or event_ids() == ["event-27", "event-20"]

    frozen_clock.move_to(dt.datetime(2026, 5, 21, 7, 0, tzinfo=TOKYO))
    out = StringIO()
    call_command("send_event_digests", stdout=out)

    assert "終了したイベント 1 件を検索の対象から外しました。" in out.getvalue()
    assert event_ids() == ["event-27"]


def test_kind_event_narrows_page_api_and_cli_to_events(client: Client, org: Organization) -> None:
    Organization.objects.create(slug="sogyo", name="創業支援センター", kind=Organization.Kind.SUPPORT,
                                description="起業の準備をする方に事業計画の書き方を助言する")
    make_event(org)
    assert {h.kind for h in search(QUESTION).results} == {"organization", "event"}

    html = client.get("/search/", {"q": QUESTION, "kind": "event"}).content.decode()
    assert '<option value="event" selected>イベント</option>' in html
    assert "みやぎ創業塾 事業計画セミナー" in html
    assert 'href="/organizations/sogyo/"' not in html

    body = client.get("/api/search", {"q": QUESTION, "kind": "event"}).json()
    assert [(r["kind"], r["id"], r["url"]) for r in body["results"]] == [("event", "event-20", "/events/event-20/")]

    out = StringIO()
    call_command("search", QUESTION, "--kind", "event", "--json", stdout=out)
    assert [(r["kind"], r["id"]) for r in json.loads(out.getvalue())["results"]] == [("event", "event-20")]
    table = StringIO()
    call_command("search", QUESTION, "--kind", "event", stdout=table)
    assert "イベント" in table.getvalue() and "みやぎ創業塾 事業計画セミナー" in table.getvalue()


def test_the_kind_filter_lists_events(client: Client, org: Organization) -> None:
    make_event(org)

    html = client.get("/search/", {"q": "セミナー"}).content.decode()

    assert '<option value="event">イベント</option>' in html


def test_an_event_found_by_its_venue_town_and_function(org: Organization) -> None:
    tomiya = Municipality.objects.create(code="044245", name="富谷市")
    market = SupportFunction.objects.get_or_create(
        code="market", defaults={"name": "販路開拓支援", "short_name": "販路開拓", "order": 6})[0]
    event = make_event(org, "とみや食品交流会", kind=Event.Kind.NETWORKING, municipality=tomiya,
                       description="県内の食品製造業者と首都圏のバイヤーが出会う場です。")
    assert search("富谷で売り先を探したい", kind="event").results  # indexed before staff tick the function
    event.functions.set([market])  # saved after the event: the m2m signal refreshes it

    hits = search("富谷で売り先を探したい", kind="event").results

    assert [h.id for h in hits] == ["event-20"]
    assert "販路開拓支援を行う" in hits[0].reasons
    assert "富谷市に所在" in hits[0].reasons


def test_renaming_the_organizer_updates_the_event_result(org: Organization) -> None:
    make_event(org)
    assert search(QUESTION).results  # indexed under the old name
    org.current_name = "公益財団法人みやぎ産業振興機構"
    org.current_as_of = "2026-04-01"
    org.save()

    hit = next(h for h in search(QUESTION).results if h.kind == "event")

    assert hit.organization == "公益財団法人みやぎ産業振興機構"


def test_in_english_the_result_card_says_event(client: Client, org: Organization, settings: Any) -> None:
    make_event(org)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/search/", {"q": QUESTION, "kind": "event"}).content.decode()

    assert '<span class="badge">Event</span>' in html
    assert '<option value="event" selected>Event</option>' in html
