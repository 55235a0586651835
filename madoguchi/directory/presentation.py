"""Plain functions that shape registry data for the public pages (no requests, no templates).

Kept apart from the views so that the order of 表4 and the wording of municipal history
can be tested without rendering a page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from madoguchi.directory.models import Municipality, Organization, OrganizationFunction, SupportFunction

_KIND_RANK: dict[str, int] = {Organization.Kind.CORE: 0, Organization.Kind.SUPPORT: 1}
_NUMBER_RE = re.compile(r"\d+")


def _plan_number(organization: Organization) -> int:
    """表2's number as an integer: "(12)" and "12" both give 12; none sorts last."""
    match = _NUMBER_RE.search(organization.plan_number or "")
    return int(match.group()) if match else 10_000


def platform_order_key(organization: Organization) -> tuple[int, int, int]:
    """Sort key for 表4's order: the core institution first, then 表2's numbers.

    Bodies that share one number of 表2 (the two インテリジェント・コスモス bodies under (1))
    keep the order in which the plan lists them, which is the order they were loaded in.
    """
    rank = _KIND_RANK.get(organization.kind, 2)
    return (rank, _plan_number(organization), organization.pk or 0)


def in_table_4(organization: Organization) -> bool:
    """Whether a platform body has its own row in 表4.

    表4 lists the two インテリジェント・コスモス bodies but not their 協議会, and 商工会・商工会議所
    as one row rather than the two federations; the loader records 表4 in source_refs for the
    rows it has. Bodies staff added later (no plan_key) get a row too.
    """
    if not organization.plan_key:
        return True
    return "表4" in (organization.source_refs or [])


@dataclass
class MatrixCell:
    function: SupportFunction
    link: OrganizationFunction | None
    note_number: int | None = None  # footnote number when the mark is derived


@dataclass
class MatrixRow:
    organization: Organization
    cells: list[MatrixCell]
    notes: list[tuple[int, OrganizationFunction]] = field(default_factory=list)


def matrix_rows(organizations: Iterable[Organization], functions: list[SupportFunction]) -> list[MatrixRow]:
    """表4 rebuilt: one row per body, one cell per function, derived marks numbered as footnotes.

    The organizations must have `function_links` prefetched.
    """
    rows: list[MatrixRow] = []
    number = 0
    for organization in organizations:
        links = {link.function_id: link for link in organization.function_links.all()}
        row = MatrixRow(organization=organization, cells=[])
        for function in functions:
            link = links.get(function.pk)
            cell = MatrixCell(function=function, link=link)
            if link is not None and link.derived:
                number += 1
                cell.note_number = number
                row.notes.append((number, link))
            row.cells.append(cell)
        rows.append(row)
    return rows


@dataclass
class MunicipalityEntry:
    """A municipality of an area as it is today, with the name the plan used if it changed."""

    municipality: Municipality
    former: Municipality | None = None
    note: str = ""
    codes: set[str] = field(default_factory=set)


def _japanese_date(day: dt.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def change_note(former: Municipality, current: Municipality, as_of: dt.date) -> str:
    """E.g. 「2005年時点は富谷町（2016年10月10日に市制施行）」."""
    changed_on = current.valid_from or former.valid_to
    became_city = former.kind in (Municipality.Kind.TOWN, Municipality.Kind.VILLAGE) and current.kind in (
        Municipality.Kind.CITY, Municipality.Kind.DESIGNATED_CITY
    )
    what = _("市制施行") if became_city else _("%(name)sに移行") % {"name": current.name}
    if changed_on:
        detail = _("%(date)sに%(what)s") % {"date": _japanese_date(changed_on), "what": what}
    else:
        detail = former.history_note or current.history_note or what
    return _("%(year)d年時点は%(name)s（%(detail)s）") % {"year": as_of.year, "name": former.name, "detail": detail}


def municipality_entries(municipalities: Iterable[Municipality], as_of: dt.date) -> list[MunicipalityEntry]:
    """Today's municipalities of an area, noting those that had another name at `as_of`.

    An area may list the 2005 body (富谷町, with valid_to and successor) or today's (富谷市,
    with 富谷町 among its predecessors); either way the page shows 富谷市 and says what it was.
    """
    listed = list(municipalities)
    listed_ids = {m.pk for m in listed}
    entries: dict[int, MunicipalityEntry] = {}
    for municipality in listed:
        if municipality.parent_id in listed_ids:
            continue  # a ward is shown as part of its city (仙台市), which is listed too
        current, former = municipality, None
        if municipality.valid_to and municipality.successor is not None:
            current, former = municipality.successor, municipality
        else:
            for predecessor in municipality.predecessors.all():
                if predecessor.valid_to is None or predecessor.valid_to >= as_of:
                    former = predecessor
                    break
        # The plan's 富谷町 and today's 富谷市 may both be listed: one entry for both.
        entry = entries.setdefault(current.pk, MunicipalityEntry(municipality=current))
        if former is not None and entry.former is None:
            entry.former = former
            entry.note = change_note(former, current, as_of)
        if former is not None:
            entry.codes.add(former.code)
        entry.codes.add(current.code)
        entry.codes.update(ward.code for ward in current.wards.all())
    ordered = list(entries.values())
    # The plan's order (仙台市、大和町、大郷町、富谷町、大衡村) follows the codes of 2005.
    ordered.sort(key=lambda e: (e.former or e.municipality).code)
    return ordered
