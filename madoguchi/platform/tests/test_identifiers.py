"""Identifiers take ASCII digits: full-width ones are mapped, other scripts' refused by name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from madoguchi.platform.identifiers import ascii_digits, first_foreign_digit
from madoguchi.platform.text import normalise_digits


def test_full_width_digits_and_dashes_become_ascii() -> None:
    assert normalise_digits(" ０２２－２２５ー６６３６ ") == "022-225-6636"


@pytest.mark.parametrize(("typed", "digit"), [
    ("٧٠٠٠٠١٢٠٥٠٠٠٢", "٧"),  # Arabic-Indic
    ("۰۲۲", "۰"),  # Extended Arabic-Indic (Persian)
    ("७००", "७"),  # Devanagari
    ("০২২", "০"),  # Bengali
    ("๐๒๒", "๐"),  # Thai
    ("022-٢٢٥", "٢"),  # mixed in after ASCII ones
])
def test_other_scripts_digits_are_found_and_refused_in_japanese(typed: str, digit: str) -> None:
    assert first_foreign_digit(normalise_digits(typed)) == digit
    with translation.override("ja"), pytest.raises(ValidationError) as info:
        ascii_digits(typed, "郵便番号")
    assert len(info.value.messages) == 1
    assert info.value.messages[0].startswith(f"郵便番号は 0〜9 の数字（全角・半角）で入力してください。「{digit}」")


def test_the_message_has_an_english_translation() -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            ascii_digits("٧", "Postal code")
        assert info.value.messages[0].startswith("Postal code: please use the digits 0–9")


def test_ascii_and_full_width_digits_pass() -> None:
    assert ascii_digits("９８０－００１４", "郵便番号") == "980-0014"
    assert first_foreign_digit("980-0014") is None
