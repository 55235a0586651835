"""The one text normaliser: its hyphen set, stated character by character, and its blank steps."""

from __future__ import annotations

import unicodedata

import pytest

from madoguchi.platform.text import (
    HYPHENS,
    HYPHENS_BETWEEN_DIGITS,
    clean,
    hyphens_to_ascii,
    nfkc,
    normalise_digits,
    squeeze_spaces,
    without_controls,
    without_separators,
    without_spaces,
)

# Every character the module's docstring decides is a hyphen, by name, so a change to the set
# is a change to this list too.
ALWAYS = [
    "\u2010",  # HYPHEN
    "\u2011",  # NON-BREAKING HYPHEN
    "\u2012",  # FIGURE DASH
    "\u2013",  # EN DASH
    "\u2014",  # EM DASH
    "\u2015",  # HORIZONTAL BAR
    "\u2043",  # HYPHEN BULLET
    "\u2212",  # MINUS SIGN
    "\ufe31",  # PRESENTATION FORM FOR VERTICAL EM DASH
    "\ufe32",  # PRESENTATION FORM FOR VERTICAL EN DASH
    "\ufe58",  # SMALL EM DASH
    "\ufe63",  # SMALL HYPHEN-MINUS
    "\uff0d",  # FULLWIDTH HYPHEN-MINUS
]
BETWEEN_DIGITS_ONLY = [
    "\u30fc",  # KATAKANA-HIRAGANA PROLONGED SOUND MARK ー
    "\uff70",  # HALFWIDTH KATAKANA-HIRAGANA PROLONGED SOUND MARK ｰ
    "\u2500",  # BOX DRAWINGS LIGHT HORIZONTAL ─
]
NEVER = [
    "\u301c",  # WAVE DASH 〜 (ranges: 9:00〜17:00)
    "\u30a0",  # KATAKANA-HIRAGANA DOUBLE HYPHEN ゠
    "\u2e3a",  # TWO-EM DASH ⸺
    "\u2e3b",  # THREE-EM DASH ⸻
]


def test_the_sets_are_exactly_the_documented_characters() -> None:
    assert sorted(HYPHENS) == sorted(ALWAYS)
    assert sorted(HYPHENS_BETWEEN_DIGITS) == sorted(BETWEEN_DIGITS_ONLY)


@pytest.mark.parametrize("dash", ALWAYS + BETWEEN_DIGITS_ONLY, ids=lambda c: unicodedata.name(c))
def test_each_dash_between_digits_becomes_a_hyphen(dash: str) -> None:
    assert normalise_digits(f"022{dash}225{dash}6636") == "022-225-6636"
    assert normalise_digits(f"０２２{dash}２２５") == "022-225"  # full-width digits around it too
    assert hyphens_to_ascii(f"０{dash}２") == "０-２"  # and before NFKC


@pytest.mark.parametrize("dash", ALWAYS, ids=lambda c: unicodedata.name(c))
def test_a_dash_is_a_hyphen_wherever_it_stands(dash: str) -> None:
    assert hyphens_to_ascii(f"{dash}A{dash}") == "-A-"


@pytest.mark.parametrize("word", ["データ", "センター", "ソフトウェアセンター", "コーディネーター", "ｺｰﾋｰ"])
def test_the_long_vowel_mark_in_a_word_stays(word: str) -> None:
    assert hyphens_to_ascii(word) == word
    assert normalise_digits(word) == nfkc(word)  # ｺｰﾋｰ becomes コーヒー, with its ー


def test_the_long_vowel_mark_next_to_one_digit_only_stays() -> None:
    assert hyphens_to_ascii("3ーデータ") == "3ーデータ"
    assert hyphens_to_ascii("データー1") == "データー1"
    assert hyphens_to_ascii("ルーム 2ー3") == "ルーム 2-3"


@pytest.mark.parametrize("mark", NEVER, ids=lambda c: unicodedata.name(c))
def test_what_is_not_a_hyphen_stays(mark: str) -> None:
    assert hyphens_to_ascii(f"9{mark}17") == f"9{mark}17"


def test_normalise_digits_trims_and_maps_full_width() -> None:
    assert normalise_digits(" ９８０－００１４ ") == "980-0014"
    assert normalise_digits(None) == ""


def test_without_separators_joins_a_number_typed_in_groups() -> None:
    assert without_separators("７-0000-1205-0002") == "7000012050002"
    assert without_separators("7ー0000ー1205ー0002") == "7000012050002"
    assert without_separators("04 100") == "04100"
    assert without_separators("０４１　００９") == "041009"  # ideographic space
    assert without_separators(None) == ""


def test_nfkc_and_clean() -> None:
    assert nfkc(None) == "" and clean(None) == ""
    assert nfkc("ＡＢＣ１２３") == "ABC123"
    assert clean("  ｶﾞｲﾄﾞ \n") == "ガイド"
    assert clean(12) == "12"


def test_blank_steps() -> None:
    assert squeeze_spaces("  研究\u3000\n 機構  ") == "研究 機構"
    assert without_spaces("研究 機構\t（仙台）") == "研究機構（仙台）"
    assert without_controls("a\u200bb\x00c\ufeffd") == "a b c d"
