"""The SQL queries say what status.py says: open on a day, stale on a day, serving an area."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from madoguchi.catalog.models import CallRound, CatalogEntry, Source
from madoguchi.catalog.presentation import entry_facts
from madoguchi.catalog.querysets import programs_open_on, programs_serving
from madoguchi.catalog.status import OPEN_STATUSES
from madoguchi.directory.models import Organization, Program

JST = ZoneInfo("Asia/Tokyo")
TODAY = dt.date(2026, 6, 20)


def moment(month: int, day: int, hour: int = 17) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=JST)


@pytest.fixture
def entries(db: Any) -> dict[str, CatalogEntry]:
    org = Organization.objects.create(slug="o", name="機関", kind=Organization.Kind.PARTNER)
    source = Source.objects.create(name="s", slug="s")
    cases: dict[str, tuple[list[tuple[Any, Any, bool]], str, dt.date | None]] = {
        "open": ([(moment(6, 1), moment(6, 30), False)], "040002", TODAY),
        "closed": ([(moment(5, 1), moment(5, 31), False)], "041009", TODAY),
        "upcoming": ([(moment(9, 1), moment(9, 30), False)], "", TODAY),
        "year_round": ([(None, None, True)], "011002", TODAY),
        "unverified": ([(moment(6, 1), moment(6, 30), False)], "041017", None),
        "old": ([], "", TODAY - dt.timedelta(days=181)),
    }
    result = {}
    for key, (rounds, codes, verified) in cases.items():
        program = Program.objects.create(slug=key, organization=org, name=key, verified_at=verified)
        entry = CatalogEntry.objects.create(program=program, source=source, external_id=key, area_codes=codes)
        for opens, closes, year_round in rounds:
            CallRound.objects.create(entry=entry, opens_at=opens, closes_at=closes, year_round=year_round)
        result[key] = entry
    return result


def test_open_on_matches_the_derived_status(entries: dict[str, CatalogEntry]) -> None:
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=JST)
    expected = {k for k, e in entries.items() if entry_facts(e, now).status in OPEN_STATUSES}
    assert expected == {"open", "unverified"}
    assert {e.external_id for e in CatalogEntry.objects.open_on(TODAY)} == expected
    assert {p.slug for p in programs_open_on(Program.objects.all(), TODAY)} == expected


def test_stale_matches_the_derived_flag(entries: dict[str, CatalogEntry], settings: Any) -> None:
    settings.PROGRAM_STALE_DAYS = 180
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=JST)
    expected = {k for k, e in entries.items() if entry_facts(e, now).stale}
    assert expected == {"closed", "unverified", "old"}
    assert {e.external_id for e in CatalogEntry.objects.stale(TODAY)} == expected


def test_serving_a_ward_includes_its_city_prefecture_and_national_programs(entries: dict[str, CatalogEntry]) -> None:
    serving = {e.external_id for e in CatalogEntry.objects.serving("041017")}  # 仙台市青葉区
    assert serving == {"open", "closed", "upcoming", "unverified", "old"}  # not 札幌市's
    assert {p.slug for p in programs_serving(Program.objects.all(), "011002")} == {"upcoming", "year_round", "old"}
