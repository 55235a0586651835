"""Numbers people type as identifiers (法人番号, 郵便番号, 電話番号, 団体コード): ASCII digits only.

NFKC maps full-width digits (０２２) to ASCII, but leaves other scripts' decimal digits alone
(Arabic-Indic ٧, Devanagari ७, …), and Python's `\\d` and `int()` accept those: `٧٠٠٠٠١٢٠٥٠٠٠٢`
would pass a `\\d{13}` check and be stored so, and a lookup by `7000012050002` would not find it.
So every identifier is normalised here, and a digit that is still not ASCII is refused with a
message that names it; patterns use `[0-9]`, never `\\d`.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# NFKC leaves the Japanese long-vowel mark, minus signs and dashes; people type them as hyphens.
_DASHES = ("ー", "−", "‐", "‑", "‒", "–", "—", "―", "－")


def normalise_digits(value: str | None) -> str:
    """Full-width digits and hyphens (０２２－２２５) become ASCII; surrounding blanks go."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    for dash in _DASHES:
        text = text.replace(dash, "-")
    return text


def first_foreign_digit(text: str) -> str | None:
    """The first digit in `text` that is not 0–9 (after NFKC these are other scripts' digits)."""
    return next((ch for ch in text if ch.isdigit() and not ("0" <= ch <= "9")), None)


def refuse_foreign_digits(text: str, label: str) -> None:
    """Raise a ValidationError naming the first non-ASCII digit in `text`, if there is one."""
    digit = first_foreign_digit(text)
    if digit is not None:
        raise ValidationError(
            _("%(label)sは 0〜9 の数字（全角・半角）で入力してください。「%(digit)s」（%(name)s）は使えません。"),
            code="non_ascii_digit",
            params={"label": label, "digit": digit, "name": unicodedata.name(digit, "?").title()},
        )


def ascii_digits(value: str | None, label: str) -> str:
    """`value` normalised (full-width → ASCII), or a ValidationError if other digits remain."""
    text = normalise_digits(value)
    refuse_foreign_digits(text, label)
    return text


class CodeChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField chosen by a numeric code (団体コード): full-width input finds the ASCII
    code, and other scripts' digits get their own message rather than 「登録されていません」."""

    def __init__(self, *args: Any, code_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code_label = code_label or _("団体コード")

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = ascii_digits(value, str(self.code_label))
        return super().to_python(value)
