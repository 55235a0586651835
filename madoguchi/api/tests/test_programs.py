from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.directory.models import Organization, Program, SupportFunction


@pytest.fixture
def core(db: None) -> Organization:
    return Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)


def make_program(org: Organization, slug: str, name: str, category: str, *functions: SupportFunction, order: int = 0) -> Program:
    program = Program.objects.create(
        organization=org, slug=slug, name=name, category=category, source="二-2 (1)", order=order,
        description=f"{name}の説明",
    )
    program.functions.set(functions)
    return program


def test_program_item_names_its_organization_category_and_functions(
    client: Client, core: Organization, functions: dict[str, SupportFunction]
) -> None:
    make_program(core, "venture-fund", "みやぎ地域ベンチャー育成ファンド", Program.Category.FINANCE,
                 functions["finance"], functions["startup"])

    body = client.get("/api/programs").json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == "venture-fund"
    assert item["name"] == "みやぎ地域ベンチャー育成ファンド"
    assert item["organization"] == {"id": "miyagi-ssc", "name": "(財)みやぎ産業振興機構"}
    assert item["category"] == {"code": "finance", "label": "資金支援事業"}
    assert item["functions"] == ["起業化支援", "資金・設備支援"]
    assert item["source"] == "二-2 (1)"
    assert item["as_of"] == "2005-12-01"
    assert item["description"] == "みやぎ地域ベンチャー育成ファンドの説明"


def test_programs_filter_by_function_organization_and_category(
    client: Client, core: Organization, functions: dict[str, SupportFunction]
) -> None:
    other = Organization.objects.create(slug="sendai-city", name="仙台市産業振興事業団", kind=Organization.Kind.SUPPORT)
    make_program(core, "fund", "ファンド", Program.Category.FINANCE, functions["finance"], order=1)
    make_program(core, "seminar", "経営セミナー", Program.Category.TRAINING, functions["talent"], order=2)
    make_program(other, "loan", "融資", Program.Category.FINANCE, functions["finance"])

    def ids(query: str) -> list[str]:
        return [i["id"] for i in client.get(f"/api/programs?{query}").json()["items"]]

    assert ids("function=finance") == ["fund", "loan"]
    assert ids("organization=miyagi-ssc") == ["fund", "seminar"]
    assert ids("category=training") == ["seminar"]
    assert ids("function=finance&organization=sendai-city") == ["loan"]


def test_program_detail_and_404(client: Client, core: Organization, functions: dict[str, SupportFunction]) -> None:
    make_program(core, "fund", "ファンド", Program.Category.FINANCE, functions["finance"])

    assert client.get("/api/programs/fund").json()["name"] == "ファンド"
    assert client.get("/api/programs/other").status_code == 404


def test_program_list_takes_a_fixed_number_of_queries(
    client: Client, core: Organization, functions: dict[str, SupportFunction], django_assert_max_num_queries
) -> None:
    for n in range(30):
        make_program(core, f"p-{n}", f"事業{n}", Program.Category.OTHER, functions["market"], functions["talent"])

    with django_assert_max_num_queries(3):
        body = client.get("/api/programs?limit=100").json()

    assert body["count"] == 30
