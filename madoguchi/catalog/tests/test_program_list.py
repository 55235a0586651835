"""/programs/ with the catalog filters as a GET form, and the institution page's open calls first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.catalog.models import CallRound, CatalogEntry, Source
from madoguchi.directory.models import Organization, Program


@pytest.fixture
def listed(db: Any) -> Organization:
    now = timezone.now()
    org = Organization.objects.create(slug="org", name="支援機関", kind=Organization.Kind.PARTNER)
    source = Source.objects.create(name="県の公募", slug="pref")
    day = dt.timedelta(days=1)
    # slug: (type, area codes, rounds as (opens, closes) offsets in days, 上限額, 対象従業員数)
    cases: dict[str, tuple[str, str, list[tuple[int, int]], int | None, int | None]] = {
        "a-ended": ("subsidy", "041009", [(-60, -30)], 5_000_000, None),
        "b-open-late": ("subsidy", "040002", [(-5, 60)], 10_000_000, 20),
        "c-open-soon": ("loan", "", [(-5, 3)], None, 300),
        "d-sapporo": ("subsidy", "011002", [(-5, 30)], 50_000_000, None),
    }
    for slug, (type_, codes, rounds, amount, employees) in cases.items():
        program = Program.objects.create(slug=slug, organization=org, name=f"制度{slug}")
        entry = CatalogEntry.objects.create(program=program, source=source, external_id=slug, type=type_,
                                            area_codes=codes, amount_max=amount, max_employees=employees)
        for opens, closes in rounds:
            CallRound.objects.create(entry=entry, opens_at=now + opens * day, closes_at=now + closes * day)
    Program.objects.create(slug="z-plan", organization=org, name="制度z-plan（計画の事業）")
    return org


def slugs(client: Any, **params: Any) -> list[str]:
    response = client.get("/programs/", params)
    assert response.status_code == 200, response.content.decode()
    html = response.content.decode()
    found = [s for s in ("a-ended", "b-open-late", "c-open-soon", "d-sapporo", "z-plan") if f'href="/programs/{s}/"' in html]
    return sorted(found, key=lambda s: html.index(f'href="/programs/{s}/"'))


def test_open_calls_come_first_soonest_deadline_first(client: Any, listed: Any) -> None:
    assert slugs(client) == ["c-open-soon", "d-sapporo", "b-open-late", "a-ended", "z-plan"]


def test_each_row_shows_status_deadline_and_amount(client: Any, listed: Any) -> None:
    html = client.get("/programs/").content.decode()
    assert "受付中" in html and "締切間近" in html and "終了" in html
    assert "上限 1,000万円" in html and "5件の支援事業" in html
    assert "あと 3 日" in html or "あと 2 日" in html


@pytest.mark.parametrize(("params", "expected"), [
    ({"open": "on"}, ["c-open-soon", "d-sapporo", "b-open-late"]),
    ({"area": "041017"}, ["c-open-soon", "b-open-late", "a-ended"]),  # 青葉区 ⊂ 仙台市 ⊂ 宮城県, and 全国
    ({"area": "仙台市"}, ["c-open-soon", "b-open-late", "a-ended"]),
    ({"type": "loan"}, ["c-open-soon"]),
    ({"amount_min": "1,000万円"}, ["d-sapporo", "b-open-late"]),  # unknown 上限額 left out
    ({"employees": "21"}, ["c-open-soon", "d-sapporo", "a-ended"]),
    ({"open": "on", "area": "040002", "type": "subsidy"}, ["b-open-late"]),
])
def test_filters(client: Any, listed: Any, params: dict[str, str], expected: list[str]) -> None:
    assert slugs(client, **params) == expected


def test_closes_before(client: Any, listed: Any) -> None:
    day = (timezone.localdate() + dt.timedelta(days=31)).isoformat()
    assert slugs(client, closes_before=day) == ["c-open-soon", "d-sapporo"]


def test_a_bad_filter_says_what_is_wrong(client: Any, listed: Any) -> None:
    response = client.get("/programs/", {"area": "041001"})
    assert response.status_code == 400
    assert "チェックデジット" in response.content.decode()
    assert "金額「たくさん」" in client.get("/programs/", {"amount_min": "たくさん"}).content.decode()


def test_paging_keeps_the_filters(client: Any, listed: Any) -> None:
    from madoguchi.directory.views import PAGE_SIZE

    org = Organization.objects.get(slug="org")
    source = Source.objects.get(slug="pref")
    for i in range(PAGE_SIZE):
        program = Program.objects.create(slug=f"loan-{i:03d}", organization=org, name=f"融資{i:03d}")
        CatalogEntry.objects.create(program=program, source=source, external_id=f"l{i}", type="loan")
    html = client.get("/programs/", {"type": "loan"}).content.decode()
    assert f"{PAGE_SIZE + 1}件の支援事業" in html and "1 / 2 ページ" in html
    assert "type=loan&amp;page=2" in html


def test_the_form_works_without_javascript_and_htmx_gets_the_partial(client: Any, listed: Any) -> None:
    html = client.get("/programs/").content.decode()
    assert '<form class="filter-form program-filters" method="get"' in html
    assert 'name="open"' in html and 'name="area"' in html and 'name="amount_min"' in html
    partial = client.get("/programs/", {"open": "on"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "制度b-open-late" in partial


def test_the_list_is_in_english_too(client: Any, listed: Any) -> None:
    html = client.get("/programs/", headers={"Accept-Language": "en"}).content.decode()
    assert "Open" in html and "Closed" in html


def test_the_institution_page_lists_its_open_calls_first(client: Any, listed: Any) -> None:
    html = client.get("/organizations/org/").content.decode()
    order = ["a-ended", "b-open-late", "c-open-soon", "d-sapporo", "z-plan"]
    positions = {s: html.index(f'href="/programs/{s}/"') for s in order}
    assert sorted(order, key=positions.__getitem__) == ["c-open-soon", "d-sapporo", "b-open-late", "a-ended", "z-plan"]
    assert "受付中" in html
