"""Saving a record updates its search document; `madoguchi reindex` rebuilds them all."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from madoguchi.directory.models import Organization, OrganizationFunction, Program, SupportFunction
from madoguchi.search.models import IndexVersion, SearchDocument
from madoguchi.search.service import search


def _org(**kwargs: Any) -> Organization:
    defaults = {"slug": "tlo", "name": "(株)東北テクノアーチ", "kind": Organization.Kind.SUPPORT,
                "description": "大学における研究成果を特許化し、企業にライセンス供給する"}
    return Organization.objects.create(**{**defaults, **kwargs})


@pytest.mark.django_db
def test_a_new_organization_is_found_without_reindex() -> None:
    _org()
    assert [h.id for h in search("特許のライセンス").results] == ["tlo"]


@pytest.mark.django_db
def test_renamed_organization_is_found_by_its_new_name_without_reindex() -> None:
    org = _org()
    assert search("テクノアーチ").results
    org.current_name = "株式会社東北テクノアーチ新社名ひまわり"
    org.current_as_of = "2026-04-01"
    org.save()
    hits = search("ひまわり").results
    assert [h.name for h in hits] == ["株式会社東北テクノアーチ新社名ひまわり"]


@pytest.mark.django_db
def test_program_shows_the_organization_name_after_the_organization_is_renamed() -> None:
    org = _org()
    Program.objects.create(slug="tlo-1", organization=org, name="特許ライセンス事業")
    org.current_name = "東北テクノアーチ2026"
    org.current_as_of = "2026-04-01"
    org.save()
    program = next(h for h in search("特許ライセンス事業").results if h.kind == "program")
    assert program.organization == "東北テクノアーチ2026"
    assert program.organization_id == "tlo"


@pytest.mark.django_db
def test_deleted_organization_is_no_longer_found() -> None:
    org = _org()
    assert search("テクノアーチ").results
    org.delete()
    assert search("テクノアーチ").results == []
    assert not SearchDocument.objects.exists()


@pytest.mark.django_db
def test_a_function_added_later_is_used_for_filtering() -> None:
    org = _org()
    function = SupportFunction.objects.get_or_create(
        code="tech_transfer", defaults={"name": "技術移転支援", "short_name": "技術移転", "order": 2})[0]
    assert search("特許", function="tech_transfer").results == []
    OrganizationFunction.objects.create(organization=org, function=function)
    assert [h.id for h in search("特許", function="tech_transfer").results] == ["tlo"]


@pytest.mark.django_db(transaction=True)
def test_committed_save_logs_its_change_once_per_transaction_and_keeps_the_main_index() -> None:
    from django.db import transaction

    from madoguchi.search.models import SearchChange

    before = IndexVersion.state()
    with transaction.atomic():
        org = _org()
        org.description += "。追記"
        org.save()
    after = IndexVersion.state()
    assert after[2] == before[2] + 1  # one change number for the transaction
    assert after[0] == before[0]  # the main index's generation stays: no rebuild anywhere
    assert set(SearchChange.objects.values_list("seq", flat=True)) == {after[2]}
    assert SearchChange.objects.filter(kind="organization", object_pk=str(org.pk)).count() == 1
    assert SearchDocument.objects.filter(kind="organization", object_id="tlo").exists()


@pytest.mark.django_db
def test_reindex_rebuilds_every_document_and_reports_progress() -> None:
    org = _org()
    Program.objects.create(slug="tlo-1", organization=org, name="特許ライセンス事業")
    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("reindex", stdout=out)
    assert SearchDocument.objects.count() == 2
    assert "2 件の文書を索引しました" in out.getvalue()
    assert "organization: 1/1" in out.getvalue()
    assert search("テクノアーチ").results


@pytest.mark.django_db
def test_a_new_process_loads_the_index_from_the_database_without_analysing() -> None:
    from madoguchi.search import analysis, service

    _org()
    search("テクノアーチ")  # writes the documents
    service._corpus = None
    analysis._analyze_segment.cache_clear()
    analysis.analyze_query_weighted.cache_clear()
    calls = []
    original = analysis.tokenizer

    def counting() -> Any:
        calls.append(1)
        return original()

    analysis.tokenizer = counting
    try:
        service.current_corpus()
    finally:
        analysis.tokenizer = original
    assert calls == []


@pytest.mark.django_db
def test_a_restarted_process_loads_the_built_index_from_var_dir(django_assert_max_num_queries: Any) -> None:
    from madoguchi.search import service

    _org()
    search("テクノアーチ")  # builds and leaves the corpus file
    service._corpus = None  # as after a restart
    with django_assert_max_num_queries(1):  # the version only; no documents, no municipalities
        assert [h.id for h in search("テクノアーチ").results] == ["tlo"]
