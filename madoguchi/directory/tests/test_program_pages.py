from __future__ import annotations

import datetime as dt

from madoguchi.directory.models import Organization, Program
from madoguchi.directory.tests.helpers import make_org


def _core() -> Organization:
    return make_org("miyagi-sangyo", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)


def test_program_list_shows_name_organization_category_and_functions(client, functions):
    program = Program.objects.create(
        slug="setsubi-kashitsuke", name="設備資金貸付事業", organization=_core(), category=Program.Category.FINANCE
    )
    program.functions.add(functions["finance"])
    html = client.get("/programs/").content.decode()
    assert 'href="/programs/setsubi-kashitsuke/"' in html
    assert "(財)みやぎ産業振興機構" in html
    assert "資金支援事業" in html
    assert "資金・設備支援" in html
    assert "1件の支援事業" in html


def test_program_list_filters_by_function_and_category(client, functions):
    core = _core()
    loan = Program.objects.create(slug="loan", name="設備資金貸付事業", organization=core, category=Program.Category.FINANCE)
    loan.functions.add(functions["finance"])
    fair = Program.objects.create(slug="fair", name="みやぎビジネスマーケットの開催", organization=core,
                                  category=Program.Category.MARKET)
    fair.functions.add(functions["market"])
    html = client.get("/programs/", {"function": "market"}).content.decode()
    assert "みやぎビジネスマーケットの開催" in html and "設備資金貸付事業" not in html
    html = client.get("/programs/", {"category": "finance"}).content.decode()
    assert "設備資金貸付事業" in html and "みやぎビジネスマーケットの開催" not in html


def test_program_list_reports_an_unknown_category(client, db):
    response = client.get("/programs/", {"category": "lottery"})
    assert response.status_code == 400
    assert "事業区分「lottery」はありません" in response.content.decode()


def test_program_list_queries_do_not_grow_with_rows(client, functions, django_assert_max_num_queries):
    core = _core()
    for i in range(30):
        program = Program.objects.create(slug=f"p{i}", name=f"事業{i}", organization=core)
        program.functions.add(functions["finance"], functions["market"])
    with django_assert_max_num_queries(4):
        response = client.get("/programs/")
    assert "30件の支援事業" in response.content.decode()


def test_program_detail_shows_its_facts_and_institution(client, functions):
    program = Program.objects.create(
        slug="tokkyo-josei", name="特許取得費用助成", organization=_core(), category=Program.Category.TECH_DEV,
        description="中小企業の特許取得費用の一部を助成する。", source="表3 技術開発支援事業",
        application_opens=dt.date(2025, 4, 1), application_closes=dt.date(2025, 5, 31),
        current_note="令和7年度の公募は終了しました。", current_as_of=dt.date(2025, 6, 1),
    )
    program.functions.add(functions["tech_transfer"])
    response = client.get("/programs/tokkyo-josei/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "特許取得費用助成" in html
    assert 'href="/organizations/miyagi-sangyo/"' in html
    assert "技術開発支援事業" in html
    assert "中小企業の特許取得費用の一部を助成する。" in html
    assert "技術移転支援" in html
    assert "2025年4月1日 〜 2025年5月31日" in html
    assert "表3 技術開発支援事業" in html and "2005年12月時点" in html
    assert "現在の情報（2025年6月1日時点）" in html and "令和7年度の公募は終了しました。" in html


def test_unknown_program_gives_a_japanese_404(client, db):
    response = client.get("/programs/no-such-program/")
    assert response.status_code == 404
    assert "「no-such-program」という支援事業は登録されていません。" in response.content.decode()


def test_htmx_request_on_programs_gets_only_the_results_partial(client, db):
    Program.objects.create(slug="loan", name="設備資金貸付事業", organization=_core())
    response = client.get("/programs/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "設備資金貸付事業" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]
