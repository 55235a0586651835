from __future__ import annotations

from madoguchi.directory.models import Municipality, Organization
from madoguchi.directory.tests.helpers import make_org, offer

URL = "/organizations/"


def test_list_shows_name_kind_functions_phone_and_municipality(client, functions, aoba):
    org = make_org("techno-arch", "(株)東北テクノアーチ", phone="022-222-3049", municipality=aoba)
    offer(org, functions["tech_transfer"], derived=True, basis="表2 (6)")
    html = client.get(URL).content.decode()
    assert "(株)東北テクノアーチ" in html
    assert "新事業支援機関" in html
    assert "技術移転支援" in html and "推定" in html
    assert 'href="tel:022-222-3049"' in html
    assert "仙台市青葉区" in html
    assert "1件の機関" in html


def test_filter_by_function_keeps_only_institutions_offering_it(client, functions):
    tech = make_org("iri", "宮城県産業技術総合センター")
    offer(tech, functions["tech_dev"])
    guarantee = make_org("hosho", "宮城県信用保証協会")
    offer(guarantee, functions["finance"])
    html = client.get(URL, {"function": "finance"}).content.decode()
    assert "宮城県信用保証協会" in html
    assert "宮城県産業技術総合センター" not in html
    assert "1件の機関" in html


def test_filter_by_kind(client, db):
    make_org("core", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    make_org("tohoku-u", "東北大学", kind=Organization.Kind.UNIVERSITY)
    html = client.get(URL, {"kind": "university"}).content.decode()
    assert "東北大学" in html
    assert "みやぎ産業振興機構" not in html


def test_filter_by_city_also_matches_its_wards(client, sendai, aoba):
    izumi = Municipality.objects.create(code="041050", name="泉区", kind=Municipality.Kind.WARD, parent=sendai)
    ishinomaki = Municipality.objects.create(code="042021", name="石巻市", kind=Municipality.Kind.CITY)
    make_org("iri", "宮城県産業技術総合センター", municipality=izumi)
    make_org("chuokai", "宮城県中小企業団体中央会", municipality=aoba)
    make_org("senshu", "石巻専修大学", municipality=ishinomaki, kind=Organization.Kind.UNIVERSITY)
    html = client.get(URL, {"municipality": "041009"}).content.decode()
    assert "宮城県産業技術総合センター" in html
    assert "宮城県中小企業団体中央会" in html
    assert "石巻専修大学" not in html
    html = client.get(URL, {"municipality": "041050"}).content.decode()
    assert "宮城県産業技術総合センター" in html
    assert "宮城県中小企業団体中央会" not in html


def test_unknown_function_gives_a_japanese_message_not_all_results(client, functions):
    make_org("iri", "宮城県産業技術総合センター")
    response = client.get(URL, {"function": "teleportation"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "支援機能「teleportation」はありません" in html
    assert "宮城県産業技術総合センター" not in html


def test_unknown_kind_and_municipality_are_reported(client, db):
    response = client.get(URL, {"kind": "bank", "municipality": "999999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "種別「bank」はありません" in html
    assert "市区町村コード「999999」はありません" in html


def test_htmx_request_gets_only_the_results_partial(client, functions):
    make_org("iri", "宮城県産業技術総合センター")
    response = client.get(URL, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "宮城県産業技術総合センター" in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    full = client.get(URL).content.decode()
    assert "<html" in full and 'hx-get="/organizations/"' in full and 'hx-push-url="true"' in full


def test_list_is_paginated_by_fifty(client, db):
    for i in range(51):
        make_org(f"org-{i:02d}", f"機関{i:02d}")
    first = client.get(URL).content.decode()
    assert "51件の機関" in first
    assert "1 / 2 ページ" in first
    assert '?page=2' in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count('<th scope="row">') == 1


def test_list_queries_do_not_grow_with_rows(client, functions, aoba, django_assert_max_num_queries):
    for i in range(30):
        org = make_org(f"org-{i:02d}", f"機関{i:02d}", municipality=aoba)
        offer(org, functions["tech_dev"], derived=True)
        offer(org, functions["startup"])
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"function": "tech_dev", "municipality": "041009"})
    assert "30件の機関" in response.content.decode()


def test_list_follows_the_plans_order_core_first_then_table_2_numbers(client, db):
    make_org("tohoku-u", "東北大学", kind=Organization.Kind.UNIVERSITY)
    make_org("tenth", "宮城県信用保証協会", plan_number="(10)")
    make_org("second", "(財)仙台市産業振興事業団", plan_number="(2)")
    make_org("core", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    html = client.get(URL).content.decode()
    order = [html.index(f'href="/organizations/{slug}/"') for slug in ("core", "second", "tenth", "tohoku-u")]
    assert order == sorted(order)


def test_htmx_request_with_a_bad_filter_gets_the_message_to_swap_in(client, db):
    response = client.get(URL, {"kind": "bank"}, headers={"HX-Request": "true"})
    # htmx only swaps 2xx answers; the message must reach the page.
    assert response.status_code == 200
    assert "種別「bank」はありません" in response.content.decode()
