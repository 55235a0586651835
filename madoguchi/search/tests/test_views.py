"""The search page (with htmx partial) and the one-stop diagnosis."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.directory.models import Organization, OrganizationFunction, Program, SupportFunction


@pytest.fixture
def records(db: Any) -> None:
    functions = {}
    for order, (code, name) in enumerate([("tech_transfer", "技術移転支援"), ("finance", "資金・設備支援")], 1):
        functions[code] = SupportFunction.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": name, "order": order})[0]
    tlo = Organization.objects.create(slug="tlo", name="(株)東北テクノアーチ", kind="support",
                                      description="大学における研究成果を特許化し、企業にライセンス供給する")
    OrganizationFunction.objects.create(organization=tlo, function=functions["tech_transfer"])
    Program.objects.create(slug="tlo-1", organization=tlo, name="大学の研究成果の特許化とライセンス供給")
    shinyo = Organization.objects.create(slug="shinyo", name="宮城県信用保証協会", kind="support",
                                         description="新規開業者をはじめとした中小企業者の債務保証を行う")
    OrganizationFunction.objects.create(organization=shinyo, function=functions["finance"])


def test_it_shows_results_with_reasons(client: Client, records: None) -> None:
    response = client.get(reverse("search:search"), {"q": "大学の特許をライセンスしてほしい"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "(株)東北テクノアーチ" in html
    assert "ライセンスのご相談 → 技術移転・特許の窓口です" in html
    assert 'href="/organizations/tlo/"' in html


def test_recognised_facet_is_preselected_in_the_form(client: Client, records: None) -> None:
    html = client.get(reverse("search:search"), {"q": "お金を借りたい"}).content.decode()
    assert '<option value="finance" selected>' in html


def test_htmx_request_gets_only_the_results(client: Client, records: None) -> None:
    response = client.get(reverse("search:search"), {"q": "特許"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "東北テクノアーチ" in html
    assert "<html" not in html


def test_markup_in_the_question_is_escaped(client: Client, records: None) -> None:
    html = client.get(reverse("search:search"), {"q": "<script>alert(1)</script>特許"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;特許" in html


def test_empty_question_offers_the_diagnosis(client: Client, records: None) -> None:
    html = client.get(reverse("search:search")).content.decode()
    assert reverse("search:diagnosis") in html
    assert "ワンストップ診断を始める" in html


def test_unknown_filter_shows_a_japanese_error_and_still_answers(client: Client, records: None) -> None:
    response = client.get(reverse("search:search"), {"q": "特許", "function": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "支援機能「nope」は選べません。" in html
    assert "東北テクノアーチ" in html


def test_it_rejects_post(client: Client, records: None) -> None:
    assert client.post(reverse("search:search"), {"q": "特許"}).status_code == 405


def test_diagnosis_walks_through_the_steps(client: Client, records: None) -> None:
    url = reverse("search:diagnosis")
    html = client.get(url).content.decode()
    assert "事業はいまどの段階ですか" in html and 'name="stage"' in html
    html = client.get(url, {"stage": "startup", "step": "need"}).content.decode()
    assert "資金を借りたい・設備を入れたい" in html
    assert '<input type="hidden" name="stage" value="startup">' in html
    html = client.get(url, {"stage": "startup", "need": "finance", "step": "field"}).content.decode()
    assert 'name="field"' in html and '<input type="hidden" name="need" value="finance">' in html
    html = client.get(url, {"stage": "startup", "need": "finance", "step": "place"}).content.decode()
    assert 'name="place"' in html


def test_diagnosis_roadmap_shows_now_and_next_stage(client: Client, records: None) -> None:
    response = client.get(reverse("search:diagnosis"), {"stage": "startup", "need": ["finance", "tech_transfer"], "step": "roadmap"})
    html = response.content.decode()
    assert "いま使える支援" in html
    assert "宮城県信用保証協会" in html and "東北テクノアーチ" in html
    assert "次の段階（成長期）で使える支援" in html


def test_diagnosis_ignores_unknown_answers(client: Client, records: None) -> None:
    response = client.get(reverse("search:diagnosis"), {"stage": "<x>", "need": "zzz", "step": "nowhere"})
    assert response.status_code == 200
    assert "事業はいまどの段階ですか" in response.content.decode()


def test_search_page_reads_only_the_index_version_once_loaded(
    client: Client, records: None, django_assert_max_num_queries: Any,
) -> None:
    client.get(reverse("search:search"), {"q": "特許"})  # loads the corpus
    # The version (page + choices); ranking comes from memory. The cards read the shown
    # results' documents and records: one query for the documents, one per kind shown.
    with django_assert_max_num_queries(2 + 1 + 3):
        response = client.get(reverse("search:search"), {"q": "大学の特許"})
    assert "東北テクノアーチ" in response.content.decode()
