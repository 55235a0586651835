"""The analyzer: variants meet, readings reach kanji, control characters vanish."""

from __future__ import annotations

import pytest

from madoguchi.search import analysis
from madoguchi.search.analysis import analyze, analyze_query, normalize
from madoguchi.search.index import TextIndex


def test_normalize_folds_width_and_case_and_drops_control_characters() -> None:
    assert normalize("ＡＢＣ\x00ｿﾌﾄｳｪｱ\u200b Tel") == "abc ソフトウェア tel"


@pytest.mark.parametrize(("a", "b"), [("付属", "附属"), ("申込", "申し込み"), ("申込み", "申し込み")])
def test_spelling_variants_share_a_term(a: str, b: str) -> None:
    assert set(analyze(a)) & set(analyze(b)) - {t for t in analyze(a) if t.startswith("g:")}


def test_a_document_written_one_way_is_found_by_the_other_spelling() -> None:
    index = TextIndex.build([("fuzoku", "東北大学附属病院との連携"), ("other", "県産品の販路拡張")])
    assert index.query(analyze_query("付属病院"), 5)[0][0] == "fuzoku"


def test_hiragana_question_reaches_kanji_document() -> None:
    index = TextIndex.build([
        ("tlo", "大学における研究成果を特許化し、それを企業にライセンス供給する"),
        ("bussan", "県産品の紹介、斡旋、販売"),
    ])
    assert [d for d, _s in index.query(analyze_query("とっきょ の らいせんす"), 5)] == ["tlo"]


def test_half_width_katakana_question_finds_software_center() -> None:
    index = TextIndex.build([("ssc", "(株)仙台ソフトウェアセンター 情報化人材育成"), ("tlo", "特許 ライセンス")])
    assert index.query(analyze_query("ｿﾌﾄｳｪｱ"), 5)[0][0] == "ssc"


def test_kanji_question_does_not_add_readings() -> None:
    # 機構 and 気候 share a reading; a kanji question must not match by sound.
    assert not [t for t in analyze_query("機構") if t.startswith("r:")]


def test_documents_get_readings_and_proper_nouns_get_bigrams() -> None:
    terms = analyze("仙台で特許")
    assert "r:トッキョ" in terms
    assert "g:仙台" in terms


def test_particles_and_auxiliaries_are_not_terms() -> None:
    assert analyze_query("信用保証を受けたい") == ["信用", "保証"]


def test_english_question_gets_japanese_terms_from_the_glossary() -> None:
    terms = analyze_query("patent licensing from university")
    assert {"特許", "ライセンス", "大学"} <= set(terms)


def test_japan_in_an_english_question_does_not_pull_bodies_named_japan() -> None:
    # Every body on the window is in Japan: the word says nothing about the need, and Sudachi's
    # ジャパン would otherwise rank national bodies' English names above the ones that fit.
    terms = set(analyze_query("we want new customers in Japan"))
    assert {"販路", "開拓"} <= terms
    assert not set(analyze("Japan")) & terms


def test_kana_question_gets_the_synonyms_of_the_same_words_in_kanji() -> None:
    # 「会社を作」 is in the synonym file; typed as sounds it must expand the same way.
    assert {"創業", "起業"} <= set(analyze_query("じぶん で かいしゃ を つくりたい"))
    assert {"融資", "資金"} <= set(analyze_query("かりいれ の そうだん"))


def test_a_phrase_cut_after_a_verb_stem_is_matched_by_its_known_sounds() -> None:
    assert analysis.phrase_reading("会社を作") == "カイシャヲ"  # 作 alone would read サク
    assert analysis.phrase_reading("お金") == "オカネ"
    assert analysis.phrase_reading("ぎ") == ""  # too short to be evidence


def test_kanji_question_is_not_expanded_by_the_sound_of_a_phrase() -> None:
    # 「化学者を」 sounds nothing like a phrase, and kana runs are taken from kana only.
    assert analysis.kana_runs("試作品の強度を図りたい") == ["リタイ"]
    assert analysis.matched_synonyms("化学の研究") == []


def test_english_question_also_meets_english_names_in_the_records() -> None:
    # Sudachi writes English words of an institution's name in katakana; a glossary word in
    # the question adds that spelling too, weakly, so the English name is found.
    terms = dict(analysis.analyze_query_weighted("Miyagi Industrial Promotion Organization"))
    assert {t for t in analyze("Industrial Promotion Organization") if not t.startswith("g:")} <= set(terms)
    assert terms["振興"] > terms[analyze("Promotion")[0]]


def test_a_wrong_kanji_of_the_right_sound_finds_the_word_meant() -> None:
    from madoguchi.search.corpus import DocMeta, build_corpus_index
    from madoguchi.search.engine import search_corpus

    corpus = build_corpus_index([
        DocMeta("kenshu", "program", "新規創業支援研修", "創業に必要な実務知識の研修"),
        DocMeta("shugo", "program", "集合住宅の管理", "住宅の管理組合"),
    ])
    # 研集 (ケンシュウ) is a slip for 研修; neither 研 nor 集 alone should decide.
    assert [h.id for h in search_corpus(corpus, "研集を受けたい").results][:1] == ["kenshu"]


def test_words_the_documents_use_are_not_read_again() -> None:
    known = {"産業", "振興", "機構", "光", "関連"}
    assert analysis.unknown_kanji_readings("産業振興機構", known) == []
    assert analysis.unknown_kanji_readings("光関連", known) == []
    assert analysis.unknown_kanji_readings("振興機講", known) == ["シンコウキコウ"]


def test_sudachi_is_loaded_once_per_process() -> None:
    assert analysis.tokenizer() is analysis.tokenizer()


def test_very_long_input_is_analysed_without_error() -> None:
    assert analyze("特許" * 20000)
