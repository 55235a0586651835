"""The two baselines: bigram BM25 (bm25s) and SQLite FTS5 trigram."""

from __future__ import annotations

from madoguchi.bench.search.baselines import BM25Bigram, FTS5Trigram, bigrams, fts5_query

DOCS = [
    ("tlo", "東北テクノアーチ\n大学の研究成果を特許化し、企業にライセンスする"),
    ("cgc", "宮城県信用保証協会\n中小企業が金融機関から融資を受けるときの債務保証"),
    ("bussan", "宮城県物産振興協会\n県産品の販路拡張、紹介、斡旋、販売"),
]


def test_bigrams_are_nfkc_case_folded_and_do_not_cross_punctuation() -> None:
    assert bigrams("ＩＴ研修。ｿﾌﾄ") == ["it", "t研", "研修", "ソフ", "フト"]


def test_bm25_bigram_ranks_the_matching_document_first() -> None:
    assert BM25Bigram(DOCS).search("特許のライセンス")[0][0] == "tlo"


def test_bm25_bigram_returns_nothing_for_unknown_characters() -> None:
    assert BM25Bigram(DOCS).search("xyz") == []


def test_fts5_ranks_the_matching_document_first() -> None:
    assert FTS5Trigram(DOCS).search("県産品の販路を広げたい")[0][0] == "bussan"


def test_fts5_finds_two_character_questions_by_substring() -> None:
    assert [d for d, _ in FTS5Trigram(DOCS).search("融資")] == ["cgc"]


def test_fts5_query_syntax_in_a_question_is_plain_text() -> None:
    assert fts5_query('a"b OR c NEAR(*') is not None
    assert FTS5Trigram(DOCS).search('"特許" OR NEAR(ライセンス*)')[0][0] == "tlo"
    assert FTS5Trigram(DOCS).search('"" * : ( )') == []
