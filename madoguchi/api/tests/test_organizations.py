from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from madoguchi.directory.models import Municipality, Organization, OrganizationFunction, SupportFunction

REQUIRED_KEYS = {
    "id", "name", "kind", "kind_label", "parent", "address", "phone", "functions", "function_details",
    "municipality", "source", "as_of", "status", "current_name", "current_address", "current_phone",
    "current_as_of", "url",
}


def make_org(slug: str, name: str, kind: str = Organization.Kind.SUPPORT, **fields: object) -> Organization:
    return Organization.objects.create(slug=slug, name=name, kind=kind, **fields)


def offer(org: Organization, function: SupportFunction, derived: bool = True, basis: str = "") -> None:
    OrganizationFunction.objects.create(organization=org, function=function, derived=derived, basis=basis)


@pytest.fixture
def core(functions: dict[str, SupportFunction], aoba: Municipality) -> Organization:
    org = make_org(
        "miyagi-ssc", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE,
        address="仙台市青葉区本町 3-4-18", phone="022-225-6636", municipality=aoba, source="表2 (1)",
        plan_order=1,
    )
    offer(org, functions["startup"], basis="表2 主な支援機能")
    offer(org, functions["tech_dev"], derived=False, basis="二-1 見出し")
    return org


def test_list_item_has_every_documented_key_with_the_plans_facts(client: Client, core: Organization) -> None:
    response = client.get("/api/organizations")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) >= REQUIRED_KEYS
    assert item["id"] == "miyagi-ssc"
    assert item["name"] == "(財)みやぎ産業振興機構"
    assert item["kind"] == "core"
    assert item["kind_label"] == "中核的支援機関"
    assert item["phone"] == "022-225-6636"
    assert item["address"] == "仙台市青葉区本町 3-4-18"
    assert item["municipality"] == {"code": "04101", "name": "青葉区"}
    assert item["source"] == "表2 (1)"
    assert item["as_of"] == "2005-12-01"
    assert item["parent"] is None


def test_functions_are_japanese_names_in_table4_order_with_how_we_know(client: Client, core: Organization) -> None:
    item = client.get("/api/organizations/miyagi-ssc").json()

    # 表4 puts 技術開発支援 before 起業化支援, whatever order the links were made in.
    assert item["functions"] == ["技術開発支援", "起業化支援"]
    assert item["function_details"] == [
        {"code": "tech_dev", "name": "技術開発支援", "derived": False, "basis": "二-1 見出し"},
        {"code": "startup", "name": "起業化支援", "derived": True, "basis": "表2 主な支援機能"},
    ]


def test_todays_facts_are_shown_beside_the_plans(client: Client, core: Organization) -> None:
    core.current_name = "公益財団法人みやぎ産業振興機構"
    core.current_phone = "022-222-1310"
    core.current_as_of = dt.date(2026, 4, 1)
    core.status = Organization.Status.RENAMED
    core.save()

    item = client.get("/api/organizations/miyagi-ssc").json()

    assert item["name"] == "(財)みやぎ産業振興機構"
    assert item["phone"] == "022-225-6636"
    assert item["current_name"] == "公益財団法人みやぎ産業振興機構"
    assert item["current_phone"] == "022-222-1310"
    assert item["current_as_of"] == "2026-04-01"
    assert item["status"] == "renamed"


def test_parent_is_given_by_its_id(client: Client, core: Organization) -> None:
    make_org("cosmos-foundation", "(財)インテリジェント・コスモス学術振興財団", parent=core)

    item = client.get("/api/organizations/cosmos-foundation").json()

    assert item["parent"] == "miyagi-ssc"


def test_detail_gives_the_same_item_as_the_list(client: Client, core: Organization) -> None:
    listed = client.get("/api/organizations").json()["items"][0]
    detail = client.get("/api/organizations/miyagi-ssc").json()

    assert listed == detail


def test_filter_by_function(client: Client, core: Organization, functions: dict[str, SupportFunction]) -> None:
    other = make_org("tlo", "(株)東北テクノアーチ")
    offer(other, functions["tech_transfer"])

    body = client.get("/api/organizations?function=tech_transfer").json()

    assert body["count"] == 1
    assert [i["id"] for i in body["items"]] == ["tlo"]


def test_filter_by_kind(client: Client, core: Organization) -> None:
    make_org("tlo", "(株)東北テクノアーチ")

    body = client.get("/api/organizations?kind=core").json()

    assert [i["id"] for i in body["items"]] == ["miyagi-ssc"]


def test_filter_by_city_includes_its_wards(client: Client, core: Organization, sendai: Municipality, taiwa: Municipality) -> None:
    make_org("sendai-city", "仙台市産業振興事業団", municipality=sendai)
    make_org("taiwa-town", "大和町商工会", municipality=taiwa)

    in_sendai = client.get("/api/organizations?municipality=04100").json()
    in_aoba = client.get("/api/organizations?municipality=04101").json()

    assert {i["id"] for i in in_sendai["items"]} == {"miyagi-ssc", "sendai-city"}
    assert [i["id"] for i in in_aoba["items"]] == ["miyagi-ssc"]


def test_pagination_counts_everything_and_returns_one_page(client: Client, functions: dict[str, SupportFunction]) -> None:
    for n in range(1, 6):
        make_org(f"org-{n}", f"機関{n}", plan_order=n)

    first = client.get("/api/organizations?limit=2").json()
    last = client.get("/api/organizations?limit=2&offset=4").json()
    beyond = client.get("/api/organizations?limit=2&offset=10").json()

    assert first["count"] == last["count"] == beyond["count"] == 5
    assert [i["id"] for i in first["items"]] == ["org-1", "org-2"]
    assert [i["id"] for i in last["items"]] == ["org-5"]
    assert beyond["items"] == []


def test_default_page_is_twenty(client: Client, db: None) -> None:
    for n in range(25):
        make_org(f"org-{n}", f"機関{n}")

    body = client.get("/api/organizations").json()

    assert body["count"] == 25
    assert len(body["items"]) == 20


def test_list_takes_a_fixed_number_of_queries(
    client: Client, functions: dict[str, SupportFunction], aoba: Municipality, django_assert_max_num_queries
) -> None:
    parent = make_org("parent", "親機関")
    for n in range(30):
        org = make_org(f"org-{n}", f"機関{n}", municipality=aoba, parent=parent)
        offer(org, functions["startup"])
        offer(org, functions["market"])

    # count + page (with municipality and parent joined) + function links; +1 to check the municipality.
    with django_assert_max_num_queries(4):
        response = client.get("/api/organizations?limit=100&municipality=04100&function=startup")

    assert response.json()["count"] == 30


def test_unknown_id_is_404_naming_it(client: Client, db: None) -> None:
    response = client.get("/api/organizations/no-such-body")

    assert response.status_code == 404
    assert "no-such-body" in response.json()["error"]["message"]
