"""One row of a program file → the values it carries, or its errors (Japanese, per column).

A blank cell means the file says nothing about that field for that row, so whatever staff
recorded there is kept; only cells with a value are applied (see importer.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from madoguchi.catalog import parsing
from madoguchi.platform.identifiers import normalise_corporate_number, validate_corporate_number

REQUIRED_HEADERS = ("制度ID", "名称")
# header → (target, parser). Target "program.x" / "entry.x" is a model field; others are special.
COLUMNS: dict[str, tuple[str, Callable[[str], Any] | None]] = {
    "制度ID": ("external_id", None),
    "名称": ("program.name", None),
    "実施機関": ("organization_name", None),
    "実施機関法人番号": ("corporate_number", None),
    "種別": ("entry.type", parsing.parse_type),
    "概要": ("program.description", None),
    "対象地域コード": ("entry.area_codes", parsing.parse_area_codes),
    "受付開始": ("opens_at", lambda v: parsing.parse_moment(v, end_of_day=False)),
    "受付締切": ("closes_at", lambda v: parsing.parse_moment(v, end_of_day=True)),
    "上限額": ("entry.amount_max", parsing.parse_amount),
    "下限額": ("entry.amount_min", parsing.parse_amount),
    "補助率": ("rate", parsing.parse_rate),
    "対象従業員数": ("entry.max_employees", parsing.parse_employees),
    "対象資本金": ("entry.max_capital", parsing.parse_amount),
    "創業後年数": ("entry.max_years_since_founding", parsing.parse_employees),
    "業種": ("entry.industries", parsing.parse_industries),
    "申請方法": ("entry.how_to_apply", None),
    "URL": ("program.url", parsing.parse_url),
    "確認日": ("program.verified_at", parsing.parse_date),
}
MAX_LENGTHS = {"制度ID": 100, "名称": 200, "実施機関": 200, "URL": 200}


@dataclass
class ParsedRow:
    number: int
    external_id: str = ""
    program: dict[str, Any] = field(default_factory=dict)
    entry: dict[str, Any] = field(default_factory=dict)
    organization_name: str = ""
    corporate_number: str = ""
    # Set by importers that resolve institutions themselves (HSDS) or keep a known slug.
    organization_id: int | None = None
    slug: str = ""
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    has_round: bool = False
    year_round: bool = False
    errors: list[str] = field(default_factory=list)


def missing_headers(headers: list[str]) -> list[str]:
    return [h for h in REQUIRED_HEADERS if h not in headers]


def parse_row(number: int, raw: dict[str, object]) -> ParsedRow:
    row = ParsedRow(number)
    for header, (target, parser) in COLUMNS.items():
        if header not in raw:
            continue
        text = parsing.clean(raw[header])
        # Long text keeps its line breaks; clean() only trimmed the ends.
        if header in ("概要", "申請方法"):
            text = str(raw[header] or "").strip()
        if not text:
            continue
        if header in ("受付開始", "受付締切") and text == "通年":
            row.year_round = row.has_round = True
            continue
        limit = MAX_LENGTHS.get(header)
        if limit and len(text) > limit:
            row.errors.append(_("%(h)s は%(n)d文字以内にしてください。") % {"h": header, "n": limit})
            continue
        try:
            value = parser(text) if parser else text
        except ValueError as error:
            row.errors.append(f"{header}: {error}")
            continue
        _assign(row, target, value)
    for header in REQUIRED_HEADERS:
        if not parsing.clean(raw.get(header)):
            row.errors.append(_("%(h)s が空です。") % {"h": header})
    if row.corporate_number:
        try:
            validate_corporate_number(row.corporate_number)
            row.corporate_number = normalise_corporate_number(row.corporate_number)
        except ValidationError as error:
            row.errors.append(_("実施機関法人番号: %(m)s") % {"m": " ".join(error.messages)})
    if row.opens_at and row.closes_at and row.closes_at < row.opens_at:
        row.errors.append(_("受付締切が受付開始より前です。"))
    amount_min, amount_max = row.entry.get("amount_min"), row.entry.get("amount_max")
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        row.errors.append(_("下限額が上限額より大きくなっています。"))
    return row


def _assign(row: ParsedRow, target: str, value: Any) -> None:
    if target.startswith("program."):
        row.program[target.removeprefix("program.")] = value
    elif target.startswith("entry."):
        row.entry[target.removeprefix("entry.")] = value
    elif target == "rate":
        numerator, denominator, rate, text = value
        row.entry.update(rate_numerator=numerator, rate_denominator=denominator, rate=rate, rate_text=text)
    elif target in ("opens_at", "closes_at"):
        setattr(row, target, value)
        row.has_round = True
    else:
        setattr(row, target, value)
