"""The API over the real 2005 plan, as the loader reads it."""

from __future__ import annotations

from django.test import Client


def test_tech_transfer_filter_finds_tohoku_techno_arch(client: Client, plan) -> None:
    body = client.get("/api/organizations?function=tech_transfer&limit=100").json()

    names = [item["name"] for item in body["items"]]
    assert body["count"] == len(names)
    assert any("東北テクノアーチ" in name for name in names), names


def test_core_institution_has_the_plans_phone(client: Client, plan) -> None:
    body = client.get("/api/organizations?kind=core").json()

    assert body["count"] == 1
    core = body["items"][0]
    assert "みやぎ産業振興機構" in core["name"]
    assert core["phone"] == "022-225-6636"
    assert core["kind_label"] == "中核的支援機関"
    assert core["as_of"] == "2005-12-01"
    assert core["source"]
    assert core["url"] == f"/organizations/{core['id']}/"
    detail = client.get(f"/api/organizations/{core['id']}").json()
    assert detail == core


def test_functions_of_the_plan_are_the_eight_of_table4_with_counts(client: Client, plan) -> None:
    body = client.get("/api/functions").json()

    assert [f["name"] for f in body] == [
        "技術開発支援", "技術移転支援", "起業化支援", "資金・設備支援",
        "経営改善支援", "販路開拓支援", "技術・人材市場情報支援", "人材発掘・育成支援",
    ]
    assert all(f["organization_count"] > 0 for f in body)


def test_core_institution_programs_are_listed_with_categories(client: Client, plan) -> None:
    core = client.get("/api/organizations?kind=core").json()["items"][0]

    body = client.get(f"/api/programs?organization={core['id']}&limit=100").json()

    assert body["count"] > 0
    assert {item["organization"]["id"] for item in body["items"]} == {core["id"]}
    assert all(item["category"]["label"] for item in body["items"])


def test_whole_registry_page_takes_three_queries(client: Client, plan, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        body = client.get("/api/organizations?limit=100").json()

    assert body["count"] > 20
    assert len(body["items"]) == min(body["count"], 100)


def test_sendai_includes_institutions_in_its_wards(client: Client, plan) -> None:
    in_sendai = client.get("/api/organizations?municipality=04100&limit=100").json()
    in_aoba = client.get("/api/organizations?municipality=04101&limit=100").json()

    assert in_aoba["count"] > 0
    assert in_sendai["count"] > in_aoba["count"]
    assert {i["municipality"]["code"] for i in in_aoba["items"]} == {"04101"}
    assert {i["id"] for i in in_aoba["items"]} <= {i["id"] for i in in_sendai["items"]}


def test_a_body_the_plan_only_names_comes_with_the_editors_profile_and_its_provenance(client: Client, plan) -> None:
    item = client.get("/api/organizations/tohoku-innovation-capital").json()

    assert "ベンチャーキャピタル" in item["profile"]["text"] and "出資" in item["profile"]["text"]
    assert "venture capital" in item["profile"]["text_en"]
    assert item["profile"]["source"] == "madoguchi 編集（公開情報による概要）"
    assert item["profile"]["as_of"] == "2026-11-28"
    # The plan's own provenance is untouched beside it.
    assert item["as_of"] == "2005-12-01"


def test_a_body_the_plan_describes_has_no_curated_profile(client: Client, plan) -> None:
    assert client.get("/api/organizations/tohoku-techno-arch").json()["profile"] is None
