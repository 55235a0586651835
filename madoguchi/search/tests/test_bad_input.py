"""Hostile or odd questions are harmless: empty, long, control characters, query syntax, limits."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.search.corpus import DocMeta, build_corpus_index
from madoguchi.search.engine import MAX_LIMIT, search_corpus
from madoguchi.search.query import MAX_QUERY_CHARS, SearchError


@pytest.fixture(scope="module")
def corpus():
    docs = [
        DocMeta(f"org-{i}", "organization", f"支援機関{i}", "特許 ライセンス 融資 販路", functions={"finance"})
        for i in range(80)
    ]
    docs.append(DocMeta("tlo", "organization", "(株)東北テクノアーチ", "大学の特許をライセンス", functions={"tech_transfer"}))
    return build_corpus_index(docs)


def test_empty_question_returns_the_diagnosis_entry_not_an_error(corpus) -> None:
    for q in ("", "   ", "\x00\x1f"):
        response = search_corpus(corpus, q)
        assert response.diagnosis_entry is True
        assert response.results == []


def test_long_question_is_cut_with_a_notice(corpus) -> None:
    response = search_corpus(corpus, "特許" * 500)
    assert len(response.query) == MAX_QUERY_CHARS
    assert response.notice == f"質問が長すぎるため、先頭{MAX_QUERY_CHARS}文字で検索しました。"
    assert response.results


def test_short_question_has_no_notice(corpus) -> None:
    assert search_corpus(corpus, "特許").notice is None


def test_control_characters_are_removed(corpus) -> None:
    response = search_corpus(corpus, "特\x00許\x07を\u202eテクノアーチ")
    assert "\x00" not in response.query and "\u202e" not in response.query
    assert response.results[0].id == "tlo"


@pytest.mark.parametrize("q", ['"特許', "特許*", "(特許) OR ライセンス", "title:特許", "特許 AND NEAR(ライセンス)", "'; DROP TABLE x; --", "\\"])
def test_query_syntax_characters_are_plain_text(corpus, q: str) -> None:
    response = search_corpus(corpus, q)
    assert response.diagnosis_entry is False


def test_markup_is_kept_as_text_for_the_template_to_escape(corpus) -> None:
    response = search_corpus(corpus, "<script>alert(1)</script>特許")
    assert response.results
    assert "<script>" in response.query


def test_limit_is_capped(corpus) -> None:
    assert len(search_corpus(corpus, "特許", limit=10_000).results) == MAX_LIMIT
    assert len(search_corpus(corpus, "特許", limit=-5).results) == 1


@pytest.mark.parametrize(("name", "value"), [("function", "nonsense"), ("stage", "x"), ("kind", "<b>"), ("field", "zzz")])
def test_unknown_filter_is_refused_with_a_japanese_message(corpus, name: str, value: str) -> None:
    with pytest.raises(SearchError) as info:
        filters: dict[str, Any] = {name: value}
        search_corpus(corpus, "特許", **filters)
    assert info.value.parameter == name
    assert "選べません" in info.value.message


def test_explicit_function_filter_narrows(corpus) -> None:
    results = search_corpus(corpus, "特許", function="tech_transfer").results
    assert [h.id for h in results] == ["tlo"]
