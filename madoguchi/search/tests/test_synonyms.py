"""One test per entry of data/synonyms.tsv and data/glossary_en.tsv.

Each entry must add to the question terms that plain analysis of the same question does not
produce; otherwise the entry does nothing and should be removed.
"""

from __future__ import annotations

import pytest

from madoguchi.search.analysis import analyze, analyze_query, read_tsv
from madoguchi.search.corpus import DocMeta, build_corpus_index
from madoguchi.search.engine import search_corpus

SYNONYMS = read_tsv("synonyms.tsv")
GLOSSARY = read_tsv("glossary_en.tsv")


def _words(terms: list[str]) -> set[str]:
    return {t for t in terms if not t.startswith(("r:", "g:"))}


@pytest.mark.parametrize(("phrase", "expansion"), SYNONYMS, ids=[r[0] for r in SYNONYMS])
def test_synonym_entry_expands_the_question(phrase: str, expansion: str) -> None:
    question = f"{phrase}について相談したい"
    added = _words(analyze_query(question)) - _words(analyze(question))
    expected = _words(analyze(expansion)) - _words(analyze(question))
    assert expected, f"{phrase}: the expansion adds nothing the question does not already say"
    assert expected <= added


@pytest.mark.parametrize(("word", "japanese"), GLOSSARY, ids=[r[0] for r in GLOSSARY])
def test_glossary_entry_gives_japanese_terms(word: str, japanese: str) -> None:
    assert _words(analyze(japanese)) <= set(analyze_query(f"{word} support"))


def test_money_question_finds_the_loan_program_only_through_the_synonyms() -> None:
    corpus = build_corpus_index([
        DocMeta("loan", "program", "低利融資・債務保証事業", "中小企業への融資"),
        DocMeta("fair", "program", "みやぎビジネスマーケットの開催", "商談会"),
    ])
    assert [h.id for h in search_corpus(corpus, "お金を借りたい").results][:1] == ["loan"]


def test_buyers_question_finds_the_market_institution_through_the_synonyms() -> None:
    corpus = build_corpus_index([
        DocMeta("bussan", "organization", "(社)宮城県物産振興協会", "県産品の販路拡張事業"),
        DocMeta("tlo", "organization", "(株)東北テクノアーチ", "特許のライセンス"),
    ])
    assert search_corpus(corpus, "売り先を増やしたい").results[0].id == "bussan"


def test_a_defect_question_in_plain_words_finds_the_testing_body() -> None:
    # Someone who never read the plan asks why a part breaks; the plan says 依頼分析試験.
    corpus = build_corpus_index([
        DocMeta("itc", "organization", "宮城県産業技術総合センター", "依頼分析試験などの試験分析"),
        DocMeta("bussan", "organization", "(社)宮城県物産振興協会", "県産品の販路拡張事業"),
    ])
    assert [h.id for h in search_corpus(corpus, "樹脂の部品がなんで割れるのか調べてくれる所").results][:1] == ["itc"]


def test_a_local_specialty_sold_by_mail_order_finds_the_products_association() -> None:
    corpus = build_corpus_index([
        DocMeta("bussan", "organization", "(社)宮城県物産振興協会", "県産品の販路拡張事業"),
        DocMeta("tlo", "organization", "(株)東北テクノアーチ", "特許のライセンス"),
    ])
    assert [h.id for h in search_corpus(corpus, "笹かまを通販で全国に売りたい").results][:1] == ["bussan"]
