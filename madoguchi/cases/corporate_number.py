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


def check_digit(base: str) -> int:
    """Return the check digit (1–9) for a 12-digit 基礎番号."""
    if not re.fullmatch(r"\d{12}", base):
        raise ValueError("base must be 12 digits")
    total = sum(int(digit) * (1 if n % 2 == 1 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def normalise(value: str) -> str:
    """Full-width digits and the hyphens/spaces people type are accepted: ７-0000-1205-0002."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-‐－ー]", "", text)


def validate_corporate_number(value: str) -> None:
    digits = normalise(value)
    if not re.fullmatch(r"\d{13}", digits):
        raise ValidationError(
            _("法人番号は13桁の数字で入力してください（例: 7000012050002）。"), code="corporate_number_length"
        )
    if int(digits[0]) != check_digit(digits[1:]):
        raise ValidationError(
            _("法人番号のチェックデジット（先頭の1桁）が合いません。番号をご確認ください。"),
            code="corporate_number_check_digit",
        )
