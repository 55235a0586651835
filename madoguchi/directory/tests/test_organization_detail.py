from __future__ import annotations

import datetime as dt

from madoguchi.directory.models import Facility, Location, Organization, Program
from madoguchi.directory.tests.helpers import make_org, offer


def test_detail_shows_the_plans_facts_source_and_time(client, functions, aoba):
    org = make_org(
        "techno-arch", "(株)東北テクノアーチ", postal_code="980-0845",
        address="仙台市青葉区荒巻字青葉 6-6-10", phone="022-222-3049", municipality=aoba,
        description="大学における研究成果を特許化し、企業にライセンス供給する。",
        source="表2 (6)", source_refs=["二-1 (6)", "表2 (6)", "表4"],
    )
    offer(org, functions["tech_transfer"])
    response = client.get("/organizations/techno-arch/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "(株)東北テクノアーチ" in html
    assert "新事業支援機関" in html
    assert "〒980-0845 仙台市青葉区荒巻字青葉 6-6-10" in html
    assert '<a href="tel:022-222-3049">022-222-3049</a>' in html
    assert "技術移転支援" in html
    assert "大学における研究成果を特許化し" in html
    assert "表2 (6)" in html and "二-1 (6)" in html
    assert "2005年12月時点" in html
    assert 'href="/cases/new/?organization=techno-arch"' in html
    assert "この機関への相談を申し込む" in html


def test_derived_functions_are_marked_with_their_basis(client, functions):
    org = make_org("iri", "宮城県産業技術総合センター")
    offer(org, functions["tech_dev"], derived=True, basis="表2 (5) 主な支援機能「技術開発支援」")
    offer(org, functions["talent"], derived=False)
    html = client.get("/organizations/iri/").content.decode()
    tech_dev = html[html.index("技術開発支援"):html.index("人材発掘・育成支援")]
    assert "推定" in tech_dev
    assert "根拠: 表2 (5) 主な支援機能「技術開発支援」" in tech_dev
    talent = html[html.index("人材発掘・育成支援"):]
    assert "推定" not in talent.split("</li>")[0]


def test_renamed_institution_shows_todays_name_and_the_plans(client, db):
    make_org(
        "kokumin-kinyu", "国民生活金融公庫", current_name="日本政策金融公庫",
        current_as_of=dt.date(2008, 10, 1), status=Organization.Status.MERGED,
    )
    html = client.get("/organizations/kokumin-kinyu/").content.decode()
    assert "<title>日本政策金融公庫" in html
    assert "計画での名称: 国民生活金融公庫" in html


def test_current_facts_appear_in_a_separate_dated_block(client, db):
    make_org(
        "hosho", "宮城県信用保証協会", phone="022-225-6491",
        current_phone="022-225-0000", current_note="事務所を移転しました。", current_as_of=dt.date(2024, 4, 1),
    )
    html = client.get("/organizations/hosho/").content.decode()
    block = html[html.index("現在の情報（2024年4月1日時点）"):]
    assert "022-225-0000" in block and "事務所を移転しました。" in block
    plan = html[:html.index("現在の情報（2024年4月1日時点）")]
    assert "022-225-6491" in plan


def test_no_current_block_when_staff_recorded_nothing(client, db):
    make_org("hosho", "宮城県信用保証協会")
    assert "現在の情報" not in client.get("/organizations/hosho/").content.decode()


def test_offices_programs_facilities_parent_and_members_are_listed(client, db):
    parent = make_org("cosmos-kyogikai", "東北インテリジェント・コスモス構想推進協議会")
    org = make_org("chiteki", "宮城県知的所有権センター", parent=parent)
    make_org("cosmos-zaidan", "(財)インテリジェント・コスモス学術振興財団", parent=parent)
    Location.objects.create(organization=org, label="本部", address="仙台市泉区明通 2-2", phone="022-377-8700", order=1)
    Location.objects.create(organization=org, label="支部", address="仙台市青葉区本町 3-4-18", phone="022-264-1340", order=2)
    Program.objects.create(slug="tokkyo-ryutsu", name="特許流通アドバイザー事業", organization=org)
    Facility.objects.create(slug="plaza", name="知財プラザ", operator=org, kind=Facility.Kind.OTHER)
    html = client.get("/organizations/chiteki/").content.decode()
    assert "本部" in html and "仙台市泉区明通 2-2" in html and 'href="tel:022-377-8700"' in html
    assert "支部" in html and 'href="tel:022-264-1340"' in html
    assert 'href="/programs/tokkyo-ryutsu/"' in html
    assert 'href="/facilities/#plaza"' in html
    assert 'href="/organizations/cosmos-kyogikai/"' in html
    parent_html = client.get("/organizations/cosmos-kyogikai/").content.decode()
    assert 'href="/organizations/chiteki/"' in parent_html
    assert 'href="/organizations/cosmos-zaidan/"' in parent_html


def test_unknown_slug_gives_a_japanese_404(client, db):
    response = client.get("/organizations/no-such-body/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "ページが見つかりません" in html
    assert "「no-such-body」という支援機関は登録されていません。" in html


def test_real_plan_detail_pages_show_the_plans_facts(client, plan):
    html = client.get("/organizations/miyagi-industrial-technology-institute/").content.decode()
    assert "宮城県産業技術総合センター" in html
    assert '<a href="tel:022-377-8700">022-377-8700</a>' in html
    for code in ("tech_dev", "tech_transfer"):
        item = html[html.index(f'?function={code}">'):].split("</li>")[0]
        assert "推定" in item and "根拠: 表2 主な支援機能" in item
    assert "2005年12月時点" in html and "表2 (5)" in html
    # 知的所有権センター has two offices in 表2 (本部・支部).
    html = client.get("/organizations/miyagi-intellectual-property-center/").content.decode()
    assert "本部" in html and "仙台市泉区明通2-2" in html
    assert "支部" in html and "仙台市青葉区本町3-4-18" in html


def test_an_institution_added_by_staff_says_so_instead_of_citing_the_plan(client, db):
    make_org("new-body", "みやぎ新事業ラボ")
    html = client.get("/organizations/new-body/").content.decode()
    assert "職員による登録（計画には記載なし）" in html


def test_detail_queries_do_not_grow_with_programs_and_offices(client, functions, django_assert_max_num_queries):
    org = make_org("core", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    for code in functions:
        offer(org, functions[code], derived=True, basis="表3")
    for i in range(15):
        program = Program.objects.create(slug=f"p{i}", name=f"事業{i}", organization=org)
        program.functions.add(functions["finance"])
        Location.objects.create(organization=org, label=f"事務所{i}", address="仙台市")
        make_org(f"member-{i}", f"構成団体{i}", parent=org)
    with django_assert_max_num_queries(15):
        html = client.get("/organizations/core/").content.decode()
    assert html.count('href="/programs/p') == 15


def test_a_body_the_plan_only_names_shows_the_editors_profile_under_its_own_label(client, plan):
    html = client.get("/organizations/miyagi-fisheries-processing-institute/").content.decode()
    assert "概要（編集部による補足・2026-11 時点、計画には記述なし）" in html
    assert "水産加工品の新商品開発" in html
    assert "出典: madoguchi 編集（公開情報による概要）" in html
    # The profile is not presented as the plan's text.
    assert "計画の記述</h3>" not in html


def test_the_profile_is_in_english_on_the_english_page(client, plan, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/organizations/miyagi-fisheries-processing-institute/").content.decode()
    assert "Profile (added by the editors, as of 2026-11; the plan has no description)" in html
    assert "develops new processed seafood products" in html
    assert "水産加工品の新商品開発" not in html


def test_a_body_without_a_profile_shows_no_profile_heading(client, plan):
    html = client.get("/organizations/tohoku-techno-arch/").content.decode()
    assert "編集部による補足" not in html
