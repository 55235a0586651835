"""Numbers people type as identifiers (法人番号, 郵便番号, 電話番号, 団体コード): ASCII digits only.

NFKC maps full-width digits (０２２) to ASCII, but leaves other scripts' decimal digits alone
(Arabic-Indic ٧, Devanagari ७, …), and Python's `\\d` and `int()` accept those: `٧٠٠٠٠١٢٠٥٠٠٠٢`
would pass a `\\d{13}` check and be stored so, and a lookup by `7000012050002` would not find it.
So every identifier is normalised (text.normalise_digits: NFKC and the one hyphen set), and a
digit that is still not ASCII is refused with a message that names it; patterns use `[0-9]`,
never `\\d`.

法人番号 (corporate number): 13 digits whose first digit is a check digit. The formula is
財務省令第七十号 第二条 (法人番号の指定等に関する省令), read with the brackets the 国税庁
publishes: 9 − ((Σ Pn × Qn) mod 9), where Pn is the n-th digit of the 12-digit 基礎番号 counted
from the rightmost, and Qn is 1 when n is odd, 2 when n is even.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.platform.text import normalise_digits, without_separators

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def first_foreign_digit(text: str) -> str | None:
    """The first digit in `text` that is not 0–9 (after NFKC these are other scripts' digits)."""
    return next((ch for ch in text if ch.isdigit() and not ("0" <= ch <= "9")), None)


def refuse_foreign_digits(text: str, label: StrOrPromise) -> None:
    """Raise a ValidationError naming the first non-ASCII digit in `text`, if there is one."""
    digit = first_foreign_digit(text)
    if digit is not None:
        raise ValidationError(
            _("%(label)sは 0〜9 の数字（全角・半角）で入力してください。「%(digit)s」（%(name)s）は使えません。"),
            code="non_ascii_digit",
            params={"label": label, "digit": digit, "name": unicodedata.name(digit, "?").title()},
        )


def ascii_digits(value: str | None, label: StrOrPromise) -> str:
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


# --- 法人番号 -------------------------------------------------------------------------------

def corporate_check_digit(base: str) -> int:
    """Return the check digit (1–9) for a 12-digit 基礎番号."""
    if not re.fullmatch(r"[0-9]{12}", base):
        raise ValueError("base must be 12 digits")
    total = sum(int(digit) * (1 if n % 2 == 1 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def normalise_corporate_number(value: str) -> str:
    """Full-width digits and the hyphens/spaces people type are accepted: ７-0000-1205-0002."""
    return without_separators(value)


def validate_corporate_number(value: str) -> None:
    """Refuse anything but 13 ASCII digits (after normalising) whose check digit matches.

    Other scripts' digits and an invoice registration number (T + 13 digits, which people copy
    from a 適格請求書) each get their own message, so the person knows what to change.
    """
    digits = normalise_corporate_number(value)
    refuse_foreign_digits(digits, _("法人番号"))
    if re.fullmatch(r"[Tt][0-9]{13}", digits):
        raise ValidationError(
            _("適格請求書発行事業者の登録番号（T＋13桁）ではなく、法人番号（13桁）を入力してください。"
              "法人の登録番号なら、T を除いた13桁が法人番号です。"),
            code="corporate_number_invoice_number",
        )
    if not re.fullmatch(r"[0-9]{13}", digits):
        raise ValidationError(
            _("法人番号は13桁の数字で入力してください（例: 7000012050002）。"), code="corporate_number_length"
        )
    if int(digits[0]) != corporate_check_digit(digits[1:]):
        raise ValidationError(
            _("法人番号のチェックデジット（先頭の1桁）が合いません。番号をご確認ください。"),
            code="corporate_number_check_digit",
        )
