"""Loading the real 2005 plan into the database: counts, facts, provenance, idempotence, rollback."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from madoguchi.directory.models import (
    Area,
    BusinessStage,
    Facility,
    Field,
    Location,
    Municipality,
    Organization,
    OrganizationFunction,
    Program,
    SupportFunction,
)
from madoguchi.interop.loader import LoadReport, load_plan
from madoguchi.interop.plan import PlanError

MODELS = [
    SupportFunction, BusinessStage, Field, Municipality, Area, Organization, OrganizationFunction,
    Location, Program, Facility,
]
HISTORIES = [Organization.history, Program.history, Facility.history, Area.history]


def functions_of(plan_key: str) -> set[str]:
    org = Organization.objects.get(plan_key=plan_key)
    return set(org.function_links.values_list("function__code", flat=True))


def snapshot() -> dict[str, Any]:
    """Everything a load could change, in a comparable form."""
    state: dict[str, Any] = {m.__name__: sorted(map(str, m._default_manager.values_list())) for m in MODELS}
    state["history"] = [h.count() for h in HISTORIES]
    state["program_functions"] = sorted(Program.functions.through.objects.values_list("program_id", "supportfunction_id"))
    state["area_municipalities"] = sorted(Area.municipalities.through.objects.values_list("area_id", "municipality_id"))
    return state


def test_load_counts_match_the_plan(plan: LoadReport) -> None:
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds == {
        "core": 1, "support": 28, "university": 18, "research": 14, "foundation": 2,
        "industry_support": 4, "partner": 6,
        "prefecture": 1,  # not the plan's: added_bodies.csv (see test_the_prefecture_is_its_own_body)
    }
    numbered = Organization.objects.filter(kind="support", parent__isnull=True)
    assert sorted(numbered.values_list("plan_order", flat=True)) == [n * 10 for n in range(1, 24)]
    assert Program.objects.filter(organization__kind="core").count() == 34
    assert Facility.objects.count() == 12
    assert SupportFunction.objects.count() == 8
    assert BusinessStage.objects.count() == 5
    assert Field.objects.filter(strategic=True).count() == 4
    assert Municipality.objects.filter(valid_to__isnull=True).exclude(kind="ward").count() == 35
    assert plan.counts["Organization"]["created"] == 73


def test_table2_phones_and_addresses(plan: LoadReport) -> None:
    itc = Organization.objects.get(plan_number="(5)")
    assert (itc.name, itc.phone, itc.kind) == ("宮城県産業技術総合センター", "022-377-8700", "support")
    assert itc.municipality is not None and itc.municipality.parent is not None
    assert itc.municipality.name == "泉区" and itc.municipality.parent.name == "仙台市"
    assert Organization.objects.get(plan_number="(13)").phone == "022-257-2009"
    core = Organization.objects.get(kind="core")
    assert (core.name, core.phone) == ("(財)みやぎ産業振興機構", "022-225-6636")
    assert core.slug == "miyagi-industrial-promotion-organization"
    assert core.name_en == "Miyagi Industrial Promotion Organization"


def test_intellectual_property_centre_has_head_office_and_branch(plan: LoadReport) -> None:
    centre = Organization.objects.get(plan_number="(8)")
    offices = list(centre.locations.values_list("label", "address", "phone"))
    assert offices == [
        ("本部", "仙台市泉区明通2-2 宮城県産業技術総合センター内", "022-377-8700"),
        ("支部", "仙台市青葉区本町3-4-18 太陽生命仙台北町ビル7階", "022-264-1340"),
    ]
    assert (centre.address, centre.phone) == offices[0][1:]
    assert "宮城県知的財産所有権センター" in centre.aliases


def test_entries_with_several_bodies_become_members_of_the_first(plan: LoadReport) -> None:
    shoko = Organization.objects.get(plan_key="t2-04")
    assert shoko.name == "商工会・商工会議所"
    members = {m.name: m.phone for m in shoko.members.all()}
    assert members == {"宮城県商工会連合会": "022-225-8751", "宮城県商工会議所連合会": "022-265-8181"}
    cosmos = Organization.objects.get(plan_key="t2-01")
    assert set(cosmos.members.values_list("name", flat=True)) == {
        "(財)インテリジェント・コスモス学術振興財団", "(株)インテリジェント・コスモス研究機構",
    }
    venture = Organization.objects.get(name="東北ベンチャーランド推進センター")
    assert venture.parent is not None
    assert venture.parent.name == "(社)東北ニュービジネス協議会" and venture.kind == "support"
    tohoku = Organization.objects.get(name="東北大学")
    assert tohoku.kind == "university" and tohoku.members.count() == 5


def test_derived_functions_with_their_basis(plan: LoadReport) -> None:
    assert functions_of("t2-06") == {"tech_transfer"}  # 東北テクノアーチ
    assert functions_of("t2-05") == {"tech_dev", "tech_transfer"}
    assert functions_of("t3") == {c for c, _ in SupportFunction.Code.choices}
    link = OrganizationFunction.objects.get(organization__plan_key="t2-05", function__code="tech_dev")
    assert link.derived
    assert link.basis == "表2 主な支援機能「技術開発支援・技術移転支援」／二-1 (5) 見出し「技術開発支援・技術移転支援」"
    assert not OrganizationFunction.objects.filter(derived=False).exists()
    assert not OrganizationFunction.objects.filter(basis="").exists()


def test_government_banks_among_the_partners_get_finance_from_section21_10(plan: LoadReport) -> None:
    bank = Organization.objects.get(slug="dbj-tohoku")
    assert bank.kind == "partner" and bank.source_refs == ["表4 連携機関", "二-1 (10)"]
    link = bank.function_links.get()
    assert link.function.code == "finance" and "政府系金融機関は" in link.basis and "推定" in link.basis
    assert functions_of("partner-jetro-sendai") == set()


def test_core_programs_with_categories_and_functions(plan: LoadReport) -> None:
    by_category = Counter(Program.objects.filter(organization__kind="core").values_list("category", flat=True))
    assert by_category == {"coordination": 2, "research_info": 7, "training": 3, "finance": 7, "tech_dev": 6, "market": 9}
    invest = Program.objects.get(name="ベンチャー企業投資育成事業")
    assert set(invest.functions.values_list("code", flat=True)) == {"startup", "finance"}
    assert invest.source == "二-2 資金支援事業" and invest.function_basis


def test_programs_named_in_section21_quote_the_plan(plan: LoadReport) -> None:
    assert Program.objects.exclude(organization__kind="core").count() == 37
    course = Program.objects.get(name="新規創業支援研修")
    assert course.organization.plan_number == "(14)" and course.source == "二-1 (14)"
    assert course.description == (
        "また、ビジネスプランの立案や創業に必要な実務知識、販路開拓のノウハウの習得を目指した新規創業支援研修等も行われている。"
    )
    assert set(course.functions.values_list("code", flat=True)) == {"startup", "talent"}
    expert = Program.objects.get(name="エキスパートバンクによる専門講師の派遣")
    assert expert.organization.name == "商工会・商工会議所"
    # These programs do not widen the institution's derived functions: 東北テクノアーチ stays 技術移転.
    assert Program.objects.filter(organization__plan_key="t2-06").count() == 2
    assert functions_of("t2-06") == {"tech_transfer"}


def test_programs_get_stages_only_where_the_plan_names_them(plan: LoadReport) -> None:
    course = Program.objects.get(name="創業・経営革新講座")
    assert set(course.stages.values_list("code", flat=True)) == {"pre_startup", "new_field"}
    assert course.stage_basis == "二-1 (4) の記述「創業予定者」「新分野進出を目指す企業家」"
    assert Program.objects.filter(stages__code="pre_startup").count() == 5
    assert not Program.objects.get(name="設備資金貸付事業").stages.exists()


def test_facilities_have_an_operator_only_where_the_plan_says(plan: LoadReport) -> None:
    plaza = Facility.objects.get(name="21世紀プラザ研究センター")
    assert plaza.operator is not None
    assert plaza.operator.name == "(株)テクノプラザみやぎ" and "二-1 (11)" in plaza.operator_basis
    assert Facility.objects.get(name="青葉山研究会館").operator is None
    assert Facility.objects.filter(operator__isnull=False).count() == 5


def test_tomiya_town_is_history_and_both_names_are_in_the_sendai_north_area(plan: LoadReport) -> None:
    town = Municipality.objects.get(name="富谷町")
    assert town.valid_to == dt.date(2016, 10, 10)
    assert town.successor is not None
    assert town.successor.name == "富谷市" and town.successor.valid_from == dt.date(2016, 10, 10)
    area = Area.objects.get(slug="sendai-hokubu")
    names = set(area.municipalities.values_list("name", flat=True))
    assert {"仙台市", "青葉区", "泉区", "大和町", "大郷町", "富谷町", "富谷市", "大衡村"} <= names
    assert "石巻市" not in names
    assert (area.designation, area.area_km2, area.source) == ("高度技術産学連携地域", 1200, "三-1")


def test_every_record_says_where_it_came_from_and_when(plan: LoadReport) -> None:
    for model in [SupportFunction, BusinessStage, Field, Municipality, Area, Organization, Location, Program, Facility]:
        assert not model._default_manager.filter(source="").exists(), model.__name__
        assert not model._default_manager.filter(as_of__isnull=True).exists(), model.__name__
    assert Organization.objects.get(plan_key="t2-05").source_refs == [
        "表2 (5)", "二-1 (5)", "表4", "表1 公設試験研究機関（県）",
    ]
    assert not Organization.objects.filter(plan_key__isnull=True).exists()
    assert not Organization.objects.filter(slug="").exists()


def test_every_loaded_record_passes_the_admin_validation(plan: LoadReport) -> None:
    # What staff will save through the admin must accept what the loader wrote (phones, slugs, lengths).
    for model in [Organization, Location, Program, Facility, Municipality, Area]:
        for obj in model._default_manager.all():
            obj.full_clean()


def test_second_load_changes_nothing_and_says_so(plan: LoadReport) -> None:
    before = snapshot()
    out = io.StringIO()
    report = load_plan(settings.PLAN_FILE, stdout=out)
    assert not report.changed
    assert "変更はありません（作成 0・更新 0" in out.getvalue()
    assert snapshot() == before


def test_reload_keeps_what_staff_recorded(plan: LoadReport) -> None:
    itc = Organization.objects.get(plan_number="(5)")
    itc.current_name = "宮城県産業技術総合センター（新名称）"
    itc.current_phone = "022-377-8799"
    itc.current_as_of = dt.date(2026, 4, 1)
    itc.status = Organization.Status.ACTIVE
    itc.url = "https://example.jp/itim/"
    itc.save()
    staff_field = Field.objects.get(code="monozukuri")
    itc.fields.add(staff_field)
    confirmed = OrganizationFunction.objects.get(organization=itc, function__code="tech_dev")
    confirmed.derived, confirmed.basis = False, "職員が確認（2026年4月）"
    confirmed.save()
    OrganizationFunction.objects.create(
        organization=itc, function=SupportFunction.objects.get(code="talent"), derived=False, basis="職員が追加",
    )

    report = load_plan(settings.PLAN_FILE)

    assert not report.changed
    itc.refresh_from_db()
    assert (itc.current_phone, itc.current_as_of, itc.status) == ("022-377-8799", dt.date(2026, 4, 1), "active")
    assert itc.url == "https://example.jp/itim/" and itc.phone == "022-377-8700"
    assert list(itc.fields.all()) == [staff_field]
    assert functions_of("t2-05") == {"tech_dev", "tech_transfer", "talent"}
    confirmed.refresh_from_db()
    assert (confirmed.derived, confirmed.basis) == (False, "職員が確認（2026年4月）")


def test_a_plan_field_edited_in_the_database_is_restored_with_one_history_row(plan: LoadReport) -> None:
    Organization.objects.filter(plan_number="(13)").update(phone="022-000-0000")
    before = Organization.history.count()
    report = load_plan(settings.PLAN_FILE)
    assert report.counts["Organization"]["updated"] == 1
    assert Organization.objects.get(plan_number="(13)").phone == "022-257-2009"
    assert Organization.history.count() == before + 1


def _broken_copy(tmp_path: Path) -> Path:
    """A plan whose 表2 changes a phone (written early) and whose 表1 names an unknown facility (found late)."""
    text = settings.PLAN_FILE.read_text(encoding="utf-8")
    text = text.replace("仙台市泉区明通 2-2\t022-377-8700\t技術開発支援", "仙台市泉区明通 2-2\t022-377-8799\t技術開発支援")
    text = text.replace("・石巻ルネッサンス館", "・石巻ルネサンス館")
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_file_leaves_the_database_as_it_was(plan: LoadReport, tmp_path: Path) -> None:
    before = snapshot()
    with pytest.raises(PlanError, match="表1 の施設「石巻ルネサンス館」が facilities.csv にありません"):
        load_plan(_broken_copy(tmp_path))
    assert Organization.objects.get(plan_number="(5)").phone == "022-377-8700"
    assert snapshot() == before


def test_a_truncated_file_leaves_an_empty_database_empty(db: None, tmp_path: Path) -> None:
    text = settings.PLAN_FILE.read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(PlanError, match="見つかりません"):
        load_plan(path)
    assert not Organization.objects.exists() and not Municipality.objects.exists()


def test_slug_taken_by_a_staff_record_stops_the_load_and_rolls_it_back(db: None) -> None:
    Organization.objects.create(name="職員が登録したジェトロ", slug="jetro-sendai", kind="partner")
    with pytest.raises(PlanError, match="スラッグ「jetro-sendai」は別の機関「職員が登録したジェトロ」が使っている"):
        load_plan(settings.PLAN_FILE)
    assert Organization.objects.count() == 1
    assert not SupportFunction.objects.exists()


def test_command_prints_progress_and_says_when_nothing_changed(db: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    call_command("load_plan", stdout=first)
    call_command("load_plan", stdout=second)
    assert "支援機関・関係機関: 作成 73・更新 0・変更なし 0" in first.getvalue()
    assert "「各種産業団体」は個別の団体ではないため読み込みません" in first.getvalue()
    assert "変更はありません（作成 0・更新 0・変更なし" in second.getvalue()


def test_command_reports_a_broken_file_as_an_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="データベースは変更していません: 計画のファイル .* が見つかりません"):
        call_command("load_plan", "--file", str(tmp_path / "missing.txt"), stdout=io.StringIO())


def test_strategic_fields_differing_from_the_data_file_are_refused(db: None, tmp_path: Path) -> None:
    text = settings.PLAN_FILE.read_text(encoding="utf-8").replace("「環境」、「IT」の4つの分野", "「環境」、「ものづくり」の4つの分野")
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match="戦略分野「食・バリアフリー・環境・ものづくり」が fields.csv"):
        load_plan(path)
    assert not SupportFunction.objects.exists()  # written before the check, rolled back with it


def test_todays_name_finds_the_plans_bodies_and_a_second_load_keeps_it(plan: LoadReport) -> None:
    from madoguchi.search import service
    from madoguchi.search.documents import rebuild_all

    banks = ["jasme-sendai", "nlfc-sendai"]
    for slug in banks:
        assert Organization.objects.get(slug=slug).aliases.count("日本政策金融公庫") == 1
    colleges = Organization.objects.filter(
        slug__in=["miyagi-national-college-of-technology", "sendai-national-college-of-technology"])
    assert [org.aliases for org in colleges] == [["仙台高等専門学校"], ["仙台高等専門学校"]]
    assert "東北医科薬科大学" in Organization.objects.get(slug="tohoku-pharmaceutical-university").aliases

    before = snapshot()
    report = load_plan(settings.PLAN_FILE)
    assert not report.changed
    assert snapshot() == before
    assert Organization.objects.get(slug="jasme-sendai").aliases.count("日本政策金融公庫") == 1

    # The search corpus is cached per process: build it from this test's database.
    service._corpus = None
    try:
        rebuild_all()
        top = [hit.id for hit in service.search("日本政策金融公庫で融資を受けたい").results[:3]]
    finally:
        service._corpus = None
    # Both branches first: before the current name was an alias, 日本政策投資銀行 came first on 日本政策….
    assert set(top[:2]) == set(banks), top


def test_a_current_name_for_a_body_not_in_the_plan_is_refused(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from madoguchi.interop import derive

    data = tmp_path / "data"
    shutil.copytree(derive.DATA_DIR, data)
    with (data / "current_names.csv").open("a", encoding="utf-8") as fh:
        fh.write("商工組合中央金庫仙台支店,商工中金,現在の名称（2008 年〜）\n")
    monkeypatch.setattr(derive, "DATA_DIR", data)
    with pytest.raises(PlanError, match="current_names.csv の「商工組合中央金庫仙台支店」が計画の機関にありません"):
        load_plan(settings.PLAN_FILE)
    assert not Organization.objects.exists()


def test_the_prefecture_is_its_own_body_added_by_the_editors(plan: LoadReport) -> None:
    prefecture = Organization.objects.get(kind="prefecture")
    assert prefecture.name == "宮城県 経済商工観光部" and prefecture.slug == "miyagi-prefecture-economy"
    assert "編集部による追加" in prefecture.source and "計画の表には無い" in prefecture.source
    assert prefecture.as_of.isoformat() == "2026-12-04"
    assert prefecture.municipality is not None and prefecture.municipality.name == "青葉区"
    assert plan.counts["AddedOrganization"]["created"] == 1
    assert prefecture not in Organization.objects.platform()  # not a body of 表4's matrix


def test_the_added_body_is_loaded_once(plan: LoadReport) -> None:
    from django.conf import settings

    from madoguchi.interop.loader import load_plan

    again = load_plan(settings.PLAN_FILE)
    assert again.counts["AddedOrganization"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert Organization.objects.filter(kind="prefecture").count() == 1
