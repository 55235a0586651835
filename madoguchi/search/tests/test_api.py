"""GET /api/search: the same search as the page, as JSON; bad parameters are 422 in the one error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from madoguchi.directory.models import Organization, Program


@pytest.fixture
def records(db: Any) -> None:
    tlo = Organization.objects.create(slug="tlo", name="(株)東北テクノアーチ", kind="support",
                                      description="大学における研究成果を特許化し、企業にライセンス供給する")
    Program.objects.create(slug="tlo-1", organization=tlo, name="大学の研究成果の特許化とライセンス供給")


def test_it_returns_results_with_reasons_and_facets(client: Client, records: None) -> None:
    response = client.get("/api/search", {"q": "大学の特許をライセンスしてほしい"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"query", "notice", "diagnosis_entry", "facets", "results"}
    assert {"type": "function", "code": "tech_transfer", "label": "技術移転支援", "source": "text"} in data["facets"]
    first = data["results"][0]
    assert set(first) == {"kind", "id", "name", "organization", "organization_id", "score", "reasons", "url",
                          # a catalog program's facts: null for the plan's records (catalog/tests/test_search_filters)
                          "type", "status", "status_label", "closes", "amount_max", "area_codes", "source",
                          "attribution", "program_url"}
    assert first["status"] is None
    assert first["reasons"]
    program = next(h for h in data["results"] if h["kind"] == "program")
    assert program["organization_id"] == "tlo"
    assert program["url"] == "/programs/tlo-1/"


def test_kind_and_limit_narrow(client: Client, records: None) -> None:
    params: dict[str, str | int] = {"q": "特許", "kind": "program", "limit": 1}
    data = client.get("/api/search", params).json()
    assert [h["kind"] for h in data["results"]] == ["program"]


def test_empty_question_is_the_diagnosis_entry(client: Client, records: None) -> None:
    data = client.get("/api/search").json()
    assert data["diagnosis_entry"] is True and data["results"] == []


def test_long_question_comes_back_with_a_notice(client: Client, records: None) -> None:
    data = client.get("/api/search", {"q": "特許" * 300}).json()
    assert data["notice"] == "質問が長すぎるため、先頭200文字で検索しました。"


@pytest.mark.parametrize("limit", ["0", "51", "abc"])
def test_bad_limit_is_422(client: Client, records: None, limit: str) -> None:
    response = client.get("/api/search", {"q": "特許", "limit": limit})
    assert response.status_code == 422
    assert response.json()["error"]["parameter"] == "limit"


@pytest.mark.parametrize("name", ["function", "stage", "kind", "field", "municipality"])
def test_unknown_filter_is_422_naming_it(client: Client, records: None, name: str) -> None:
    response = client.get("/api/search", {"q": "特許", name: "nonsense"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["parameter"] == name and error["code"] == "invalid_parameter"
    assert "nonsense" in error["message"]
