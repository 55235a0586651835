"""Parsers for the cells of a program file: amounts, rates, dates, codes, types, industries.

Each takes the cell's text (already NFKC-normalised: full-width digits become ASCII) and
returns the value or raises ValueError with the Japanese message shown for that row.
Nothing here touches the database, so every bad value has a plain test.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.catalog import areas
from madoguchi.catalog.models import Industry, ProgramType


def clean(value: object) -> str:
    """The cell as text: NFKC (full-width → half-width), trimmed; None → ""."""
    if value is None:
        return ""
    # Excel cells come typed: a date cell is a datetime at midnight, a number may be a float.
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


_UNITS = {"億": 100_000_000, "万": 10_000, "千": 1_000}
_AMOUNT_PART = re.compile(r"(\d+(?:\.\d+)?)(億|万|千)?")


def parse_amount(text: str) -> int:
    """Yen: 5000000, 5,000,000円, 1,000万円, 1億円, 1億5,000万円, 50万."""
    compact = re.sub(r"[,\s]", "", text)
    compact = re.sub(r"(円|以内|まで|以下)+$", "", compact)
    if not compact or not re.fullmatch(r"(\d+(?:\.\d+)?(億|万|千)?)+", compact):
        raise ValueError(_("金額「%(v)s」を読み取れません（例: 5000000、1,000万円、1億円）。") % {"v": text})
    total = Decimal(0)
    for number, unit in _AMOUNT_PART.findall(compact):
        total += Decimal(number) * _UNITS.get(unit, 1)
    if total != total.to_integral_value():
        raise ValueError(_("金額「%(v)s」は1円単位になりません。") % {"v": text})
    return int(total)


FIXED_RATE = "定額"


def parse_rate(text: str) -> tuple[int | None, int | None, Decimal | None, str]:
    """(numerator, denominator, value, text as written): 2/3, 1/2以内, 10/10, 50%, 定額."""
    compact = re.sub(r"\s", "", text)
    body = re.sub(r"(以内|まで|以下)$", "", compact)
    if body == FIXED_RATE:
        return None, None, None, compact
    match = re.fullmatch(r"(\d+)/(\d+)", body) or re.fullmatch(r"(\d+(?:\.\d+)?)%", body)
    if match is None:
        raise ValueError(_("補助率「%(v)s」を読み取れません（例: 2/3、1/2、10/10、50%%、定額）。") % {"v": text})
    if len(match.groups()) == 2:
        numerator, denominator = int(match.group(1)), int(match.group(2))
    else:
        fraction = Fraction(Decimal(match.group(1))) / 100
        numerator, denominator = fraction.numerator, fraction.denominator
    if denominator == 0 or numerator > denominator:
        raise ValueError(_("補助率「%(v)s」は0〜10/10の範囲で書いてください。") % {"v": text})
    value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))
    return numerator, denominator, value, compact


_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?")


def parse_date(text: str) -> dt.date:
    match = _DATE.fullmatch(text)
    if not match or match.group(4):
        raise ValueError(_("日付「%(v)s」を読み取れません（YYYY-MM-DD の形で、例: 2026-04-01）。") % {"v": text})
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(_("日付「%(v)s」は存在しない日です。") % {"v": text}) from None


def parse_moment(text: str, *, end_of_day: bool) -> dt.datetime:
    """YYYY-MM-DD or YYYY-MM-DD HH:MM in Japan time; a bare date opens at 0:00 or closes at 23:59:59."""
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(
            _("日時「%(v)s」を読み取れません（YYYY-MM-DD または YYYY-MM-DD HH:MM、例: 2026-05-31 17:00）。") % {"v": text}
        )
    year, month, day, hour, minute = match.groups()
    try:
        if hour is None:
            moment = dt.datetime(int(year), int(month), int(day), *((23, 59, 59) if end_of_day else (0, 0, 0)))
        else:
            moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError:
        raise ValueError(_("日時「%(v)s」は存在しない日時です。") % {"v": text}) from None
    return timezone.make_aware(moment, timezone.get_default_timezone())


def parse_employees(text: str) -> int:
    """20, 20人, 20人以下, 300名以下 → the largest headcount allowed."""
    match = re.fullmatch(r"(\d+)(人|名)?(以下|まで)?", re.sub(r"[,\s]", "", text))
    if match is None:
        raise ValueError(_("対象従業員数「%(v)s」を読み取れません（例: 20、300人以下）。") % {"v": text})
    return int(match.group(1))


_SEPARATORS = re.compile(r"[;,、，/\s]+")


def split_list(text: str) -> list[str]:
    return [part for part in _SEPARATORS.split(text) if part]


@lru_cache(maxsize=1)
def industry_names() -> dict[str, str]:
    """NFKC JSIC 大分類 names (製造業, 卸売業,小売業) → their letter."""
    # The Japanese names whatever language is active (override(None) gives the msgids).
    with translation.override(None):
        return {unicodedata.normalize("NFKC", str(label)): value for value, label in Industry.choices}


def parse_industries(text: str) -> str:
    """JSIC 大分類 letters (E;G or EG) or names (製造業) → "EG"."""
    letters: set[str] = set()
    for part in split_list(text):
        upper = part.upper()
        if re.fullmatch(r"[A-T]+", upper):
            letters.update(upper)
        elif part in industry_names():
            letters.add(industry_names()[part])
        else:
            raise ValueError(
                _("業種「%(v)s」は日本標準産業分類の大分類（A〜T の文字、例: E = 製造業）ではありません。") % {"v": part}
            )
    return "".join(sorted(letters))


@lru_cache(maxsize=1)
def type_words() -> dict[str, str]:
    """Return {a word for a program type, as a file or a question writes it: its ProgramType value}.

    The Japanese labels (補助金, NFKC), the values themselves (subsidy) and a few synonyms (研修).
    """
    with translation.override(None):
        words = {unicodedata.normalize("NFKC", str(label)): str(value) for value, label in ProgramType.choices}
    return words | {str(value): str(value) for value in ProgramType.values} | {
        "セミナー": ProgramType.TRAINING.value, "研修": ProgramType.TRAINING.value,
    }


def parse_type(text: str) -> str:
    found = type_words().get(text)
    if found is None:
        labels = "、".join(str(label) for label in ProgramType.labels)
        raise ValueError(_("種別「%(v)s」は使えません。次のいずれかにしてください: %(labels)s") % {"v": text, "labels": labels})
    return str(found)


def parse_area_codes(text: str) -> str:
    """`;`-separated codes → the stored form (space-separated, in the file's order, no repeats)."""
    codes: list[str] = []
    for part in split_list(text):
        try:
            code = areas.normalise_code(part)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
        if code not in codes:
            codes.append(code)
    return " ".join(codes)


_URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", re.IGNORECASE)


def parse_url(text: str) -> str:
    """An http(s) address with a dotted host. Cheaper than URLValidator, which costs 0.1 ms a row."""
    if not _URL.fullmatch(text):
        raise ValueError(_("URL「%(v)s」は http:// か https:// で始まる正しいアドレスにしてください。") % {"v": text})
    return text
