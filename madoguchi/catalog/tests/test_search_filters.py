"""Catalog programs in the one search: each filter, area inheritance, soft facets, status order, fields."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from madoguchi.catalog.filters import ProgramFilters
from madoguchi.catalog.models import CallRound, CatalogEntry, Source
from madoguchi.directory.models import Organization, Program
from madoguchi.search import service
from madoguchi.search.documents import rebuild_all
from madoguchi.search.service import search

JST = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 6, 20, 12, tzinfo=JST)


def moment(month: int, day: int, hour: int = 17) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=JST)


OPEN = [(moment(6, 1), moment(7, 31))]
SOON = [(moment(6, 1), moment(6, 25))]
ENDED = [(moment(4, 1), moment(5, 31))]
UPCOMING = [(moment(9, 1), moment(9, 30))]

# slug: (name, type, area codes, rounds, 上限額, 対象従業員数)
PROGRAMS: dict[str, tuple[str, str, str, list[tuple[Any, Any]], int | None, int | None]] = {
    "sendai-open": ("仙台市設備投資補助金", "subsidy", "041009", OPEN, 5_000_000, 20),
    "sendai-ended": ("仙台市設備投資補助金（前年度）", "subsidy", "041009", ENDED, 5_000_000, 20),
    "miyagi-loan": ("宮城県設備投資融資", "loan", "040002", SOON, 30_000_000, None),
    "national": ("全国設備投資補助金", "subsidy", "", OPEN, None, 300),
    "sapporo": ("札幌市設備投資補助金", "subsidy", "011002", OPEN, 10_000_000, 50),
    "aoba-upcoming": ("青葉区設備投資助成金", "grant", "041017", UPCOMING, 1_000_000, 5),
    # The same words, two places: only the place named in a question tells them apart.
    "osaka-startup": ("創業チャレンジ補助金", "subsidy", "271004", OPEN, 1_000_000, None),
    "sendai-startup": ("創業チャレンジ補助金", "subsidy", "041009", OPEN, 1_000_000, None),
    "startup-loan": ("創業チャレンジ融資", "loan", "", OPEN, 1_000_000, None),
}


@pytest.fixture
def catalog(db: Any) -> Iterator[dict[str, Program]]:
    service._corpus = None
    org = Organization.objects.create(slug="org", name="支援機関", kind=Organization.Kind.PARTNER)
    source = Source.objects.create(name="Jグランツ（jGrants）", slug="jgrants", attribution="出典: Jグランツ（jGrants）")
    out = {}
    for slug, (name, type_, codes, rounds, amount, employees) in PROGRAMS.items():
        program = Program.objects.create(slug=slug, organization=org, name=name, description=f"{name}で中小企業を支援します。",
                                         url=f"https://example.jp/{slug}")
        entry = CatalogEntry.objects.create(program=program, source=source, external_id=slug, type=type_,
                                            area_codes=codes, amount_max=amount, max_employees=employees)
        for opens, closes in rounds:
            CallRound.objects.create(entry=entry, opens_at=opens, closes_at=closes)
        out[slug] = program
    rebuild_all()
    yield out
    service._corpus = None


@pytest.fixture
def current(catalog: Any) -> Any:
    """The catalog with its rounds moved so that NOW is the real now (the CLI and the API take no `now`)."""
    from django.db.models import F
    from django.utils import timezone

    shift = timezone.now() - NOW
    CallRound.objects.update(opens_at=F("opens_at") + shift, closes_at=F("closes_at") + shift)
    rebuild_all()
    service._corpus = None
    return catalog


def ids(query: str = "設備投資", **filters: Any) -> list[str]:
    response = search(query, programs=ProgramFilters(**filters), now=NOW, limit=20)
    return [h.id for h in response.results if h.kind == "program"]


def test_open_keeps_open_and_closing_soon_rounds_only(catalog: Any) -> None:
    assert set(ids(open=True)) == {"sendai-open", "miyagi-loan", "national", "sapporo"}


def test_area_takes_the_municipality_its_prefecture_and_national_programs(catalog: Any) -> None:
    # 仙台市青葉区 is in 仙台市 in 宮城県: all three levels, and national; not 札幌市.
    assert set(ids(area="041017")) == {"sendai-open", "sendai-ended", "miyagi-loan", "national", "aoba-upcoming"}
    assert set(ids(area="041009")) == {"sendai-open", "sendai-ended", "miyagi-loan", "national"}
    assert set(ids(area="011002")) == {"national", "sapporo"}


def test_type_amount_employees_and_closes_before(catalog: Any) -> None:
    assert set(ids(type="loan")) == {"miyagi-loan"}
    # 上限額 unknown (national) is left out of an amount filter.
    assert set(ids(amount_min=10_000_000)) == {"miyagi-loan", "sapporo"}
    # No limit (miyagi-loan) passes; 20 or fewer employees do not take 21.
    assert set(ids(employees=21)) == {"miyagi-loan", "national", "sapporo"}
    # Not yet closed, and closing by 2026-06-30 (end of that day): only the loan (06-25).
    assert set(ids(closes_before=dt.date(2026, 6, 30))) == {"miyagi-loan"}
    assert set(ids(closes_before=dt.date(2026, 7, 31))) == {"miyagi-loan", "sendai-open", "national", "sapporo"}


def test_filters_combine_and_work_without_words(catalog: Any) -> None:
    assert set(ids("", open=True, area="041009", type="subsidy")) == {"sendai-open", "national", "sendai-startup"}
    # Without filters or words the search is the diagnosis entry, as before.
    assert search("", now=NOW).diagnosis_entry


def test_open_calls_rank_above_ended_ones_that_read_the_same(catalog: Any) -> None:
    found = ids("仙台市設備投資補助金")
    assert found.index("sendai-open") < found.index("sendai-ended")
    # The ended round stays findable.
    assert "sendai-ended" in found


def test_place_and_type_in_the_question_lift_and_say_so(catalog: Any) -> None:
    response = search("仙台市で使える創業チャレンジの補助金", now=NOW, limit=20)
    order = [h.id for h in response.results]
    hits = {h.id: h for h in response.results}
    # Soft: 大阪市's program, which reads the same, is still found, only lower.
    assert order.index("sendai-startup") < order.index("osaka-startup")
    assert "仙台市で使える制度" in hits["sendai-startup"].reasons
    assert "仙台市で使える制度" not in hits["osaka-startup"].reasons
    assert "仙台市で使える制度" in hits["startup-loan"].reasons  # 全国
    assert "補助金の制度" in hits["osaka-startup"].reasons
    assert "補助金の制度" not in hits["startup-loan"].reasons
    # Asked without a place, the two are found in the order they were stored, neither lifted.
    plain = [h.id for h in search("創業チャレンジ補助金", now=NOW, limit=20).results]
    assert plain.index("osaka-startup") < plain.index("sendai-startup")


def test_results_carry_the_catalog_fields(catalog: Any) -> None:
    hit = next(h for h in search("札幌市設備投資補助金", now=NOW).results if h.id == "sapporo")
    data = hit.as_dict()
    assert data["type"] == "subsidy"
    assert data["status"] == "open"
    assert data["closes"] == moment(7, 31).isoformat()
    assert data["amount_max"] == 10_000_000
    assert data["area_codes"] == ["011002"]
    assert data["source"] == "Jグランツ（jGrants）"
    assert data["program_url"] == "https://example.jp/sapporo"
    assert data["url"] == "/programs/sapporo/"


def test_status_is_taken_at_the_moment_of_the_search(catalog: Any) -> None:
    later = dt.datetime(2026, 6, 26, 12, tzinfo=JST)  # the loan closed on 06-25 17:00
    found = [h.id for h in search("", programs=ProgramFilters(open=True), now=later, limit=20).results]
    assert "miyagi-loan" not in found
    hit = next(h for h in search("宮城県設備投資融資", now=later).results if h.id == "miyagi-loan")
    assert hit.program is not None and hit.program["status"] == "closed"


def test_an_admin_edit_of_a_round_reaches_the_search(catalog: Any) -> None:
    entry = CatalogEntry.objects.get(external_id="sendai-ended")
    CallRound.objects.create(entry=entry, opens_at=moment(6, 1), closes_at=moment(8, 31))
    assert "sendai-ended" in ids(open=True)


def test_cli_filters_and_json(current: Any) -> None:
    out = StringIO()
    call_command("search", "設備投資", "--open", "--area", "041009", "--type", "補助金", "--json", stdout=out)
    data = json.loads(out.getvalue())
    found = {r["id"]: r for r in data["results"]}
    assert set(found) == {"sendai-open", "national"}
    assert found["sendai-open"]["status"] == "open"
    assert "仙台市で使える制度" not in found["national"]["reasons"]  # the place was a filter, not a word
    assert {"url", "type", "status", "closes", "amount_max", "area_codes", "source"} <= set(found["national"])


def test_cli_refuses_a_bad_area_in_japanese(catalog: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="チェックデジット"):
        call_command("search", "設備投資", "--area", "041001", stdout=StringIO())


def test_api_filters_and_fields(current: Any, client: Any) -> None:
    response = client.get("/api/search", {"q": "設備投資", "open": "1", "area": "041009", "type": "subsidy"})
    assert response.status_code == 200, response.content
    found = {r["id"]: r for r in response.json()["results"]}
    assert set(found) == {"sendai-open", "national"}
    assert found["national"]["source"] == "Jグランツ（jGrants）"
    assert found["national"]["area_codes"] == [] and found["national"]["amount_max"] is None
    assert found["sendai-open"]["amount_max"] == 5_000_000 and found["sendai-open"]["type"] == "subsidy"
    bad = client.get("/api/search", {"q": "設備投資", "amount_min": "たくさん"})
    assert bad.status_code == 422
    error = bad.json()["error"]
    # The API states yen as an integer (its schema says so); the page and the CLI also read 500万円.
    assert error["parameter"] == "amount_min" and "整数" in error["message"]
    assert client.get("/api/search", {"q": "設備投資", "area": "999999"}).status_code == 422



def test_the_search_page_takes_the_filters_and_shows_status_and_deadline(current: Any, client: Any) -> None:
    html = client.get("/search/", {"q": "設備投資", "open": "1", "area": "041009", "type": "subsidy"}).content.decode()
    assert "/programs/sendai-open/" in html and "/programs/national/" in html
    assert "/programs/sapporo/" not in html and "/programs/sendai-ended/" not in html
    assert "受付中" in html and "締切" in html
    bad = client.get("/search/", {"q": "設備投資", "employees": "多数"})
    assert bad.status_code == 400 and "従業員数「多数」" in bad.content.decode()


def test_demo_programs_spread_across_the_country_and_their_calls_around_today(db: Any) -> None:
    from madoguchi.catalog.status import Status

    out = StringIO()
    call_command("demo_programs", "400", "--no-progress", stdout=out)
    assert "400 件追加" in out.getvalue()
    assert len({e.area_codes[:2] for e in CatalogEntry.objects.exclude(area_codes="")}) > 30
    service._corpus = None
    statuses = {h.program["status"] for h in search("", programs=ProgramFilters(type="loan"), limit=50).results if h.program}
    assert {Status.YEAR_ROUND.value} <= statuses
    opened = search("設備投資", programs=ProgramFilters(open=True), limit=50).results
    assert opened and all(h.program and h.program["status"] in ("open", "closing_soon") for h in opened)
    # Again: updated in place, never duplicated.
    call_command("demo_programs", "400", "--no-progress", stdout=StringIO())
    assert CatalogEntry.objects.count() == 400


def test_words_that_match_nothing_find_nothing_even_with_filters(catalog: Any) -> None:
    assert ids("ぬぬぬぬ", open=True) == []


def test_a_program_is_found_by_its_type_word(catalog: Any) -> None:
    # 「融資」 is in neither name nor description of the 宮城県 loan's document text… but it is its type.
    Program.objects.filter(slug="miyagi-loan").update(name="宮城県設備投資資金", description="設備の資金を支援します。")
    rebuild_all()
    service._corpus = None
    assert "miyagi-loan" in [h.id for h in search("融資", now=NOW).results]
