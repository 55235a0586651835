"""The program filters, one schema for the search (page, API, CLI), the program list and saved searches.

`ProgramFilters.from_params(mapping)` reads them from a query string, a form or CLI options and
raises `FilterError` (which parameter, a Japanese message) for a bad value; `to_params()` writes
them back as strings (an address, a saved search), so `from_params(f.to_params()) == f`.

What each means (search.program_columns applies them to the index without a database query):

- `open`: a round accepting applications now (受付中 or 締切間近); 通年 and 予定 are not "open".
- `closes_before` (a date): a round closes on or before the end of that day (JST) and has not closed yet.
- `area` (全国地方公共団体コード): programs naming it, its city (for a ward) or its prefecture, and 全国 ones.
- `type`: a ProgramType value (subsidy) or its label (補助金 / Subsidy).
- `amount_min` (yen): 上限額 at least this much. A program without a stated 上限額 is left out: the
  filter promises "at least this much", which an unknown amount does not keep.
- `employees`: programs open to a business of this many employees (対象従業員数 ≥ n, or no limit).

Any of these restricts the answer to catalog programs (institutions and the plan's programs
have no call rounds, amounts or areas to test).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FILTER_PARAMS = ("open", "closes_before", "area", "type", "amount_min", "employees")
TRUE_VALUES = {"1", "true", "on", "yes", "はい"}
FALSE_VALUES = {"", "0", "false", "off", "no", "いいえ"}


class FilterError(ValueError):
    """A filter value that cannot be read; `parameter` names it, the message is Japanese."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


def parse_type(value: str) -> str:
    """A ProgramType value from its value or its Japanese/English label."""
    from django.utils.translation import override

    from madoguchi.catalog.models import ProgramType

    text = _text(value)
    if text in ProgramType.values:
        return text
    for choice in ProgramType:
        with override(None):
            labels = {unicodedata.normalize("NFKC", str(choice.label))}
        with override("en"):
            labels.add(str(choice.label).lower())
        if text in labels or text.lower() in labels:
            return str(choice.value)
    raise FilterError("type", _("種別「%(v)s」は選べません（補助金、助成金、融資、保証、出資、税制、専門家派遣、相談、セミナー・研修、認定、その他）。") % {"v": text[:50]})


def parse_yen(value: Any, parameter: str = "amount_min") -> int:
    """Yen from 5000000, 5,000,000, 500万円 or 1億円."""
    from madoguchi.catalog.parsing import parse_amount

    text = _text(value)
    try:
        amount: int | None = parse_amount(text)
    except ValueError:
        amount = None
    if amount is None or amount < 0:
        raise FilterError(parameter, _("金額「%(v)s」は読めません（円で、例: 5000000 または 500万円）。") % {"v": text[:50]})
    return amount


def parse_count(value: Any, parameter: str = "employees") -> int:
    text = re.sub(r"人$", "", _text(value))
    if not re.fullmatch(r"\d{1,7}", text):
        raise FilterError(parameter, _("従業員数「%(v)s」は 0 以上の整数で指定してください（例: 20）。") % {"v": text[:50]})
    return int(text)


def parse_date(value: Any, parameter: str = "closes_before") -> dt.date:
    text = _text(value).replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FilterError(parameter, _("日付「%(v)s」は YYYY-MM-DD で指定してください（例: 2027-03-31）。") % {"v": text[:50]}) from None


def parse_flag(value: Any, parameter: str = "open") -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise FilterError(parameter, _("「%(p)s」は 1 か 0 で指定してください。") % {"p": parameter})


def parse_area(value: Any) -> str:
    from madoguchi.catalog.areas import normalise_code

    try:
        return normalise_code(_text(value))
    except ValidationError as exc:
        raise FilterError("area", exc.messages[0]) from None


@dataclass(frozen=True)
class ProgramFilters:
    open: bool = False
    closes_before: dt.date | None = None
    area: str | None = None  # six-digit 全国地方公共団体コード
    type: str | None = None  # ProgramType value
    amount_min: int | None = None  # yen
    employees: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ProgramFilters:
        """Read the filters from strings (query string, form, CLI); empty values are absent."""

        def given(name: str) -> Any:
            value = params.get(name)
            return None if value is None or (isinstance(value, str) and not value.strip()) else value

        return cls(
            open=parse_flag(given("open") or False),
            closes_before=parse_date(given("closes_before")) if given("closes_before") is not None else None,
            area=parse_area(given("area")) if given("area") is not None else None,
            type=parse_type(given("type")) if given("type") is not None else None,
            amount_min=parse_yen(given("amount_min")) if given("amount_min") is not None else None,
            employees=parse_count(given("employees")) if given("employees") is not None else None,
        )

    def to_params(self) -> dict[str, str]:
        """The filters that are set, as strings (the inverse of from_params)."""
        out: dict[str, str] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value is False:
                continue
            out[f.name] = "1" if value is True else value.isoformat() if isinstance(value, dt.date) else str(value)
        return out

    @property
    def active(self) -> bool:
        return bool(self.to_params())

    def describe(self) -> list[str]:
        """The filters in words, for a page or an email (「受付中」「宮城県仙台市で使える」…)."""
        from madoguchi.catalog.areas import describe
        from madoguchi.catalog.models import ProgramType
        from madoguchi.catalog.presentation import yen

        words = []
        if self.open:
            words.append(_("受付中"))
        if self.closes_before:
            words.append(_("%(d)s までに締切") % {"d": self.closes_before.isoformat()})
        if self.area:
            words.append(_("%(place)sで使える") % {"place": describe([self.area])})
        if self.type:
            words.append(str(ProgramType(self.type).label))
        if self.amount_min is not None:
            words.append(_("上限額 %(amount)s 以上") % {"amount": yen(self.amount_min)})
        if self.employees is not None:
            words.append(_("従業員 %(n)d 人で対象") % {"n": self.employees})
        return words
