"""The program page and the API detail show what a visitor needs: can I apply, how much, until when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.catalog.models import CallRound, CatalogEntry, ProgramType, Source
from madoguchi.directory.models import Organization, Program


@pytest.fixture
def imported(db: Any) -> Program:
    org = Organization.objects.create(slug="miyagi", name="宮城県", kind=Organization.Kind.PARTNER)
    source = Source.objects.create(
        name="Jグランツ", slug="jgrants", kind=Source.Kind.JGRANTS, attribution="出典: Jグランツ（jGrants）",
        licence="政府標準利用規約", url="https://www.jgrants-portal.go.jp/",
    )
    today = timezone.localdate()
    program = Program.objects.create(
        slug="jgrants-s1", organization=org, name="ものづくり補助金", as_of=today, verified_at=today,
    )
    entry = CatalogEntry.objects.create(
        program=program, source=source, external_id="S1", type=ProgramType.SUBSIDY, amount_max=12_500_000,
        rate_numerator=2, rate_denominator=3, rate_text="2/3", max_employees=300, industries="E",
        area_codes="040002 041009", how_to_apply="電子申請で受け付けます。",
    )
    now = timezone.now()
    CallRound.objects.create(entry=entry, opens_at=now - dt.timedelta(days=10), closes_at=now + dt.timedelta(days=5))
    return program


def test_the_program_page_shows_status_deadline_amount_area_and_source(client: Client, imported: Program) -> None:
    page = client.get(f"/programs/{imported.slug}/").content.decode()
    assert "締切間近" in page and "あと 5 日" in page
    assert "補助金" in page and "上限 1,250万円" in page and "2/3" in page
    assert "従業員 300 人以下" in page and "製造業" in page
    assert "宮城県、宮城県仙台市" in page
    assert "電子申請で受け付けます。" in page
    assert "出典: Jグランツ（jGrants）" in page and "政府標準利用規約" in page
    assert "最終確認日" in page and "要確認" not in page


def test_a_program_not_verified_in_time_is_flagged(client: Client, imported: Program, settings: Any) -> None:
    Program.objects.filter(pk=imported.pk).update(verified_at=timezone.localdate() - dt.timedelta(days=181))
    page = client.get(f"/programs/{imported.slug}/").content.decode()
    assert "要確認" in page and "最後の確認から180日以上たっています" in page
    data = client.get(f"/api/programs/{imported.slug}").json()
    assert data["stale"] is True


def test_the_api_detail_carries_the_catalog_facts(client: Client, imported: Program) -> None:
    data = client.get(f"/api/programs/{imported.slug}").json()
    assert data["type"] == "subsidy" and data["status"] == "closing_soon"
    assert data["amount_max"] == 12_500_000 and data["area_codes"] == ["040002", "041009"]
    assert data["source"] == "Jグランツ" and data["attribution"] == "出典: Jグランツ（jGrants）"
    assert data["closes"] is not None and data["stale"] is False
    assert data["name"] == "ものづくり補助金"  # directory's fields are still there


def test_a_plan_program_keeps_its_2005_provenance_and_is_flagged_unverified(client: Client, db: Any) -> None:
    org = Organization.objects.create(slug="core", name="みやぎ産業振興機構", kind=Organization.Kind.CORE)
    program = Program.objects.create(slug="plan-1", plan_key="p1", organization=org, name="創業支援", source="二-1")
    page = client.get(f"/programs/{program.slug}/").content.decode()
    assert "宮城県「事業環境整備構想」（平成17年12月）" in page and "二-1" in page
    assert "要確認" in page and "不明" in page
    data = client.get(f"/api/programs/{program.slug}").json()
    assert data["source"] == "二-1" and data["type"] is None and data["status"] == "unknown" and data["stale"] is True


def test_an_unknown_program_is_a_japanese_404(client: Client, db: Any) -> None:
    assert "登録されていません" in client.get("/programs/nothing/").content.decode()
    assert client.get("/api/programs/nothing").status_code == 404


def test_yen_is_written_the_japanese_way_and_in_english_in_english() -> None:
    from django.utils import translation

    from madoguchi.catalog.presentation import yen

    assert yen(150_000_000) == "1億5,000万円" and yen(10_000_000) == "1,000万円" and yen(1_500) == "1,500円"
    with translation.override("en"):
        assert yen(10_000_000) == "¥10,000,000"
