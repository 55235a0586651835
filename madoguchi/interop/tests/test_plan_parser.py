"""The parser and the derivation read the real 2005 text; no database needed."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from madoguchi.interop.derive import (
    LabelTable,
    build_core_programs,
    build_organizations,
    build_section21_programs,
    quote_sentence,
    read_csv,
)
from madoguchi.interop.plan import Plan, PlanError, clean_address, parse_plan


@pytest.fixture(scope="module")
def text() -> str:
    return settings.PLAN_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed(text: str) -> Plan:
    return parse_plan(text)


def test_table2_has_23_numbered_entries_in_order(parsed: Plan) -> None:
    assert [e.number for e in parsed.table2] == [f"({i})" for i in range(1, 24)]


def test_table2_phones_and_addresses_are_read_without_extraction_spaces(parsed: Plan) -> None:
    by_number = {e.number: e.bodies[0] for e in parsed.table2}
    assert by_number["(5)"].phone == "022-377-8700"
    assert by_number["(5)"].address == "仙台市泉区明通2-2"
    assert by_number["(13)"].phone == "022-257-2009"
    assert by_number["(1)"].address == "仙台市青葉区南吉成6-6-3 ICRビル3階"
    assert by_number["(12)"].name == "(株)仙台ソフトウェアセンター"
    assert by_number["(23)"].address == "仙台市青葉区錦町1-5-1 N-ovalビル4階"


def test_entries_with_several_bodies_keep_each_body(parsed: Plan) -> None:
    entries = {e.number: e for e in parsed.table2}
    assert [b.name for b in entries["(1)"].bodies] == [
        "東北インテリジェント・コスモス構想推進協議会",
        "(財)インテリジェント・コスモス学術振興財団",
        "(株)インテリジェント・コスモス研究機構",
    ]
    four = entries["(4)"].bodies
    assert [b.name for b in four] == ["商工会・商工会議所", "宮城県商工会連合会", "宮城県商工会議所連合会"]
    assert (four[1].phone, four[2].phone) == ("022-225-8751", "022-265-8181")
    assert four[2].address == "仙台市青葉区本町2-16-12 仙台商工会議所ビル内"
    assert [b.name for b in entries["(16)"].bodies] == ["(社)東北ニュービジネス協議会", "東北ベンチャーランド推進センター"]
    assert entries["(16)"].bodies[1].address == "仙台市青葉区中央2-9-10 セントレ東北11階"


def test_intellectual_property_centre_has_head_office_and_branch(parsed: Plan) -> None:
    eight = {e.number: e for e in parsed.table2}["(8)"]
    assert len(eight.bodies) == 1
    assert eight.bodies[0].locations == [
        ("本部", "仙台市泉区明通2-2 宮城県産業技術総合センター内", "022-377-8700"),
        ("支部", "仙台市青葉区本町3-4-18 太陽生命仙台北町ビル7階", "022-264-1340"),
    ]
    assert eight.bodies[0].phone == "022-377-8700"


def test_section21_headings_carry_function_labels_even_on_a_following_line(parsed: Plan) -> None:
    s = parsed.section21
    assert s["(2)"].labels == ["産業支援全般・起業化支援・経営改善支援"]
    assert s["(4)"].labels == ["起業化支援・経営改善支援"]
    assert s["(16)"].labels == ["交流・情報提供支援"]
    assert s["(22)"].labels == ["産業支援全般・起業化支援"]
    assert s["(1)"].headings[1] == ("(財)インテリジェント・コスモス学術振興財団", "技術開発支援")
    assert s["(6)"].description.startswith("大学における研究成果を特許化し")


def test_core_institution_and_its_34_programs_in_six_groups(parsed: Plan) -> None:
    core = parsed.core
    assert (core.name, core.phone) == ("(財)みやぎ産業振興機構", "022-225-6636")
    assert Counter(p.category for p in core.programs) == {
        "coordination": 2, "research_info": 7, "training": 3, "finance": 7, "tech_dev": 6, "market": 9,
    }
    seminar = next(p for p in core.programs if p.name == "セミナーの開催")
    assert seminar.description == "起業家育成講座, 環境管理・監査制度対応講習会等"
    assert "平成11年4月に統合" in core.description


def test_table1_reads_universities_institutes_and_facilities(parsed: Plan) -> None:
    by_section = Counter(i.section for i in parsed.table1)
    assert by_section == {"大学・研究所等": 18, "公設試験研究機関": 16, "研究・開発財団": 2, "産業支援機関": 25}
    institutes = [i.name for i in parsed.table1 if i.parent == "東北大学"]
    assert len(institutes) == 5 and "東北大学金属材料研究所" in institutes
    sectors = Counter(i.sector for i in parsed.table1 if i.section == "公設試験研究機関")
    assert sectors == {"national": 4, "prefecture": 11, "city": 1}
    assert len(parsed.facilities) == 12 and "21世紀プラザ研究センター" in parsed.facilities


def test_partners_skip_the_generic_industry_groups(parsed: Plan) -> None:
    assert "ジェトロ仙台貿易情報センター" in parsed.partners
    assert "各種産業団体" not in parsed.partners
    assert parsed.skipped == ["各種産業団体"]
    assert len(parsed.table4_rows) == 26


def test_area_and_strategic_fields(parsed: Plan) -> None:
    assert parsed.area.municipalities == ["仙台市", "大和町", "大郷町", "富谷町", "大衡村"]
    assert parsed.area.area_km2 == 1200
    assert parsed.strategic_fields == ["食", "バリアフリー", "環境", "IT"]


def test_function_labels_match_longest_first_and_ignore_notes() -> None:
    table = LabelTable(read_csv("function_labels.csv"))
    assert table.labels("交流・情報提供 支援") == ["交流・情報提供支援"]
    assert table.labels("産業支援全般・インキュベート運営 (仙台市内)") == ["産業支援全般", "インキュベート運営"]
    assert table.labels("信用補完・資金設備支援") == ["信用補完・資金設備支援"]
    with pytest.raises(PlanError, match="「謎の支援」が function_labels.csv にありません"):
        table.labels("謎の支援")


def test_one_record_per_body_with_every_place_it_appears(parsed: Plan) -> None:
    specs = {s.plan_key: s for s in build_organizations(parsed)}
    assert Counter(s.kind for s in specs.values()) == {
        "core": 1, "support": 28, "university": 18, "research": 14, "foundation": 2,
        "industry_support": 4, "partner": 6,
    }
    itc = specs["t2-05"]
    assert itc.source_refs == ["表2 (5)", "二-1 (5)", "表4", "表1 公設試験研究機関（県）"]
    assert "産業技術総合センター" in itc.aliases and itc.sector == "prefecture"
    assert specs["t2-08"].aliases == ["宮城県知的財産所有権センター"]
    assert specs["t2-04-b"].parent_key == "t2-04"
    assert specs["t1-tohoku-university-imr"].parent_key == "t1-tohoku-university"


def test_derived_functions_follow_table2_and_section21_headings(parsed: Plan) -> None:
    specs = {s.plan_key: s for s in build_organizations(parsed)}
    assert set(specs["t2-06"].functions) == {"tech_transfer"}
    assert set(specs["t2-05"].functions) == {"tech_dev", "tech_transfer"}
    # 表2 says 技術移転支援, 二-1 says 特許情報提供支援 (technology transfer + market information).
    assert set(specs["t2-08"].functions) == {"tech_transfer", "market_info"}
    assert specs["t2-08"].basis("tech_transfer") == "表2 主な支援機能「技術移転支援」／二-1 (8) 見出し「特許情報提供支援」"
    # (1)'s heading lines give the 財団 and the 研究機構 their own labels.
    assert set(specs["t2-01-b"].functions) == {"tech_dev"}
    assert set(specs["t2-01-c"].functions) == {"startup", "finance"}
    assert set(specs["t3"].functions) == {
        "tech_dev", "tech_transfer", "startup", "finance", "management", "market", "market_info", "talent",
    }


def test_core_programs_get_functions_from_group_and_wording(parsed: Plan) -> None:
    programs = {p.name: p for p in build_core_programs(parsed)}
    assert len(programs) == 34
    assert programs["ベンチャー企業投資育成事業"].functions == ["startup", "finance"]
    assert programs["ベンチャー企業投資育成事業"].function_basis == "二-2「資金支援事業」・語「投資」"
    assert programs["特許取得費用助成"].functions == ["tech_dev", "tech_transfer"]
    assert programs["みやぎビジネスマーケットの開催"].functions == ["market"]


def test_clean_address_keeps_one_space_before_the_building() -> None:
    assert clean_address("仙台市青葉区中央 2-9-10 セントレ東北 1 1 階") == "仙台市青葉区中央2-9-10 セントレ東北11階"
    assert clean_address("仙台市泉区明通 2-2") == "仙台市泉区明通2-2"


def test_truncated_text_is_refused_with_a_specific_message(text: str) -> None:
    cut = text[: text.index("表 - 2")]
    with pytest.raises(PlanError, match="表2 の見出し行が見つかりません"):
        parse_plan(cut)


def test_missing_table2_entry_is_counted(text: str) -> None:
    start = text.index("(22)\t独立行政法人中小企業基盤整備機構東北支部")
    end = text.index("\n", start)
    with pytest.raises(PlanError, match="表2 に 23 機関あるはずが 22 機関しか読めませんでした"):
        parse_plan(text[:start] + text[end + 1 :])


def test_section21_programs_each_find_their_sentence_and_body(parsed: Plan) -> None:
    programs = build_section21_programs(parsed, build_organizations(parsed))
    assert len(programs) == 37
    by_name = {p.name: p for p in programs}
    assert by_name["特許流通アドバイザー・特許情報活用支援アドバイザー"].org_key == "t2-08"
    assert by_name["インキュベーション事業（研究スペースの賃貸）"].org_key == "t2-01-c"
    assert len({p.slug for p in programs}) == 37
    assert by_name["新規創業支援研修"].stages == ["pre_startup"]
    assert by_name["新規創業支援研修"].stage_basis == "二-1 (14) の記述「創業に必要な実務知識」"


def test_quote_sentence_stops_at_the_sentence_end() -> None:
    text = "前の文。特許流通アドバイザーが駐在し、支援を図っている。次の文。"
    assert quote_sentence(text, "特許流通") == "特許流通アドバイザーが駐在し、支援を図っている。"
    assert quote_sentence(text, "存在しない") == ""


def test_sendai_addresses_go_to_their_ward_and_others_to_their_municipality() -> None:
    from madoguchi.directory.models import Municipality
    from madoguchi.interop.loader import municipality_of

    places = {m.name: m for m in [
        Municipality(code="04101", name="青葉区", kind="ward"),
        Municipality(code="04105", name="泉区", kind="ward"),
        Municipality(code="04100", name="仙台市", kind="designated_city"),
        Municipality(code="04207", name="名取市", kind="city"),
        Municipality(code="04423", name="富谷町", kind="town"),
    ]}
    found = [municipality_of(address, places) for address in ("仙台市泉区明通2-2", "宮城県名取市愛島塩手字野田山1", "富谷町成田")]
    assert [m.name if m else None for m in found] == ["泉区", "名取市", "富谷町"]
    assert municipality_of("東京都千代田区", places) is None
