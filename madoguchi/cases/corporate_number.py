"""法人番号 (corporate number): 13 digits whose first digit is a check digit.

The formula is 財務省令第七十号 第二条 (法人番号の指定等に関する省令), read with the brackets
the 国税庁 publishes: 9 − ((Σ Pn × Qn) mod 9), where Pn is the n-th digit of the 12-digit
基礎番号 counted from the rightmost, and Qn is 1 when n is odd, 2 when n is even.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.lib.identifiers import refuse_foreign_digits


def check_digit(base: str) -> int:
    """Return the check digit (1–9) for a 12-digit 基礎番号."""
    if not re.fullmatch(r"[0-9]{12}", base):
        raise ValueError("base must be 12 digits")
    total = sum(int(digit) * (1 if n % 2 == 1 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def normalise(value: str) -> str:
    """Full-width digits and the hyphens/spaces people type are accepted: ７-0000-1205-0002."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-‐－ー]", "", text)


def validate_corporate_number(value: str) -> None:
    """Refuse anything but 13 ASCII digits (after `normalise`) whose check digit matches.

    Other scripts' digits and an invoice registration number (T + 13 digits, which people copy
    from a 適格請求書) each get their own message, so the person knows what to change.
    """
    digits = normalise(value)
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
    if int(digits[0]) != check_digit(digits[1:]):
        raise ValidationError(
            _("法人番号のチェックデジット（先頭の1桁）が合いません。番号をご確認ください。"),
            code="corporate_number_check_digit",
        )
