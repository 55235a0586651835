"""Realistic questions over the real 2005 plan: the right institution must come first.

Each case was written from the plan's own description of the institution (二-1 (1)〜(23)).
"""

from __future__ import annotations

import re
from typing import Any

from madoguchi.search.engine import search

CASES = [
    # (6) 大学における研究成果を特許化し、それを企業にライセンス供給する
    ("大学の特許をライセンスしてほしい", "東北テクノアーチ"),
    ("とっきょ の らいせんす", "東北テクノアーチ"),
    ("patent licensing from university", "東北テクノアーチ"),
    # (10) 金融機関より資金調達を行う際に、その債務保証を行う
    ("信用保証を受けたい", "宮城県信用保証協会"),
    # (17) 県産品の販路拡張事業
    ("県産品の販路を広げたい", "宮城県物産振興協会"),
    # (12) 情報化人材育成を行う事業
    ("ソフトウェア技術者を育てたい", "仙台ソフトウェアセンター"),
    ("ｿﾌﾄｳｪｱ", "仙台ソフトウェアセンター"),
    # (13) ベンチャー企業とベンチャー企業への就職を希望する求職者のマッチングイベント
    ("ベンチャー企業で働きたい人とのマッチング", "雇用・能力開発機構宮城センター"),
    # (9) 出願前の先行技術調査の受入、外国特許資料の取り寄せ
    ("出願前に先行技術を調べたい", "発明協会宮城県支部"),
    # (14) 中小企業の経営者、後継者、管理者等に対して…研修
    ("後継者の研修を受けさせたい", "中小企業大学校仙台校"),
    # (11) 研究室を低廉な料金で貸与する 21世紀プラザ研究センター
    ("研究室を安く借りたい", "テクノプラザみやぎ"),
]


def test_the_right_institution_comes_first(indexed_plan: Any) -> None:
    """First hit is the institution itself or one of its programs (whom to contact is the answer).

    One test over all cases: each load of the plan costs seconds, and the message lists every
    question that went wrong at once.
    """
    wrong = []
    for question, expected in CASES:
        results = search(question, limit=5).results
        first = results[0] if results else None
        if first is None or not (expected in first.name or expected in (first.organization or "")):
            wrong.append(f"{question} → {[(h.name, h.organization) for h in results[:3]]}")
    assert not wrong, "\n".join(wrong)


def test_every_result_carries_reasons_in_japanese(indexed_plan: Any) -> None:
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for question, _expected in CASES[:5]:
        for hit in search(question).results:
            assert hit.reasons, f"{hit.name} has no reasons"
            assert all(japanese.search(r) for r in hit.reasons)


def test_reasons_say_which_words_and_which_function_matched(indexed_plan: Any) -> None:
    hits = search("大学の特許をライセンスしてほしい").results
    top = next(h for h in hits if h.kind == "organization")
    assert "東北テクノアーチ" in top.name
    assert "「特許」が説明に一致" in top.reasons
    assert "技術移転支援を行う" in top.reasons


def test_programs_are_returned_with_their_organization(indexed_plan: Any) -> None:
    programs = [h for h in search("設備資金を借りたい", limit=10).results if h.kind == "program"]
    assert programs
    assert all(h.organization and h.organization_id for h in programs)
    assert any("みやぎ産業振興機構" in (h.organization or "") for h in programs)


def test_place_in_the_question_is_recognised_and_explained(indexed_plan: Any) -> None:
    response = search("富谷で創業したばかり")
    assert {(f.type, f.label) for f in response.facets} >= {("municipality", "富谷市"), ("stage", "創業期"), ("function", "起業化支援")}
    assert any("仙台北部地域" in r for h in response.results for r in h.reasons)


def test_kind_filter_keeps_only_that_kind(indexed_plan: Any) -> None:
    results = search("特許", kind="program").results
    assert results and {h.kind for h in results} == {"program"}
