"""Catalog programs' facts as columns of the Corpus, and the filters applied to them.

A program's catalog facts (type, 上限額, 対象従業員数, area codes, call rounds, source) are stored
with its SearchDocument (`program`, a compact JSON text, see search.program_facts) and held by
the Corpus as numpy columns (`ProgramColumns`), so filtering 10^5 programs is a few array
operations and no database query.

Status depends on the time: the columns keep each round's opens/closes as timestamps and the
status is derived with the request's `now` (a round is open from opens until closes, as in
catalog.status). No Django here beyond catalog's plain helpers: search.corpus builds the
columns, search.delta extends them, search.program_filters ranks with them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from madoguchi.catalog.filters import ProgramFilters

TYPES = ("subsidy", "grant", "loan", "guarantee", "equity", "tax", "expert", "consultation", "training",
         "certification", "other")
# Status boost (multiplies the score): open rounds first, then 通年, 予定; 終了 and 不明 unchanged.
STATUS_FACTOR = {"open": 1.1, "year_round": 1.06, "upcoming": 1.03}
_JST = dt.timezone(dt.timedelta(hours=9))


@dataclass
class ProgramColumns:
    """Per corpus row: the program facts as arrays (rows without catalog facts: is_program False)."""

    n: int
    facts: list[str | None]  # the JSON text per row, parsed only for the hits shown
    is_program: np.ndarray
    type_idx: np.ndarray  # int8 into TYPES, -1 none
    amount_max: np.ndarray  # float64, NaN unknown
    max_employees: np.ndarray  # float64, inf no limit
    national: np.ndarray  # bool: no area codes = 全国
    area_cols: dict[str, int]
    doc_area: sp.csc_matrix  # rows × area codes
    r_doc: np.ndarray  # int32: each round's row
    r_open: np.ndarray  # float64 timestamps, -inf none
    r_close: np.ndarray  # float64 timestamps, +inf none
    r_year: np.ndarray  # bool
    r_dated: np.ndarray  # bool: the round has a date at all
    # (from, until, open rows, status factor): valid while from ≤ now < until, the next moment any
    # round opens or closes, so most searches reuse it and none sees a status a moment late.
    moment: tuple[float, float, np.ndarray, np.ndarray] | None = field(default=None, repr=False)


def columns(n: int, pairs: Iterable[tuple[int, str]], base: ProgramColumns | None = None) -> ProgramColumns | None:
    """The columns of `n` rows, `pairs` giving (row, facts JSON) for program rows.

    With `base` (a main index's columns, its rows first), its rows are kept and `pairs` add rows after them.
    """
    pairs = list(pairs)
    if base is None and not pairs:
        return None
    facts: list[str | None] = (list(base.facts) if base else []) + [None] * (n - (base.n if base else 0))
    n0 = base.n if base else 0
    is_program = np.zeros(n, bool)
    type_idx = np.full(n, -1, np.int8)
    amount_max = np.full(n, np.nan)
    max_employees = np.full(n, np.inf)
    national = np.zeros(n, bool)
    area_cols = dict(base.area_cols) if base else {}
    a_rows: list[int] = []
    a_cols: list[int] = []
    r_doc: list[int] = []
    r_open: list[float] = []
    r_close: list[float] = []
    r_year: list[bool] = []
    r_dated: list[bool] = []
    if base is not None:
        for mine, theirs in ((is_program, base.is_program), (type_idx, base.type_idx), (amount_max, base.amount_max),
                             (max_employees, base.max_employees), (national, base.national)):
            mine[:n0] = theirs
    type_pos = {t: i for i, t in enumerate(TYPES)}
    for row, text in pairs:
        data = json.loads(text)
        facts[row] = text
        is_program[row] = True
        type_idx[row] = type_pos.get(data.get("t"), -1)
        if data.get("a") is not None:
            amount_max[row] = data["a"]
        if data.get("e") is not None:
            max_employees[row] = data["e"]
        codes = data.get("ar") or []
        national[row] = not codes
        for code in codes:
            a_rows.append(row)
            a_cols.append(area_cols.setdefault(code, len(area_cols)))
        for opens, closes, year in data.get("r") or []:
            r_doc.append(row)
            r_open.append(-np.inf if opens is None else float(opens))
            r_close.append(np.inf if closes is None else float(closes))
            r_year.append(bool(year))
            r_dated.append(opens is not None or closes is not None)
    rows_arr, cols_arr = np.asarray(a_rows, np.int32), np.asarray(a_cols, np.int32)
    if base is not None:
        old = base.doc_area.tocoo()
        rows_arr, cols_arr = np.concatenate([old.row.astype(np.int32), rows_arr]), np.concatenate([old.col.astype(np.int32), cols_arr])
    doc_area = sp.csc_matrix((np.ones(rows_arr.size, np.int8), (rows_arr, cols_arr)), shape=(n, max(len(area_cols), 1)))

    def cat(old: np.ndarray | None, new: list[Any], dtype: Any) -> np.ndarray:
        fresh = np.asarray(new, dtype=dtype)
        return fresh if old is None else np.concatenate([old, fresh])

    return ProgramColumns(
        n=n, facts=facts, is_program=is_program, type_idx=type_idx, amount_max=amount_max,
        max_employees=max_employees, national=national, area_cols=area_cols, doc_area=doc_area,
        r_doc=cat(base.r_doc if base else None, r_doc, np.int32),
        r_open=cat(base.r_open if base else None, r_open, np.float64),
        r_close=cat(base.r_close if base else None, r_close, np.float64),
        r_year=cat(base.r_year if base else None, r_year, bool),
        r_dated=cat(base.r_dated if base else None, r_dated, bool),
    )


def rows_with(cols: ProgramColumns, round_mask: np.ndarray) -> np.ndarray:
    """Return which rows have at least one of the rounds `round_mask` selects."""
    out = np.zeros(cols.n, bool)
    out[cols.r_doc[round_mask]] = True
    return out


def area_rows(cols: ProgramColumns, codes: Iterable[str], *, prefix: str = "") -> np.ndarray:
    """Return which rows name one of `codes` (or, with `prefix`, a code starting with it) as their area."""
    out = np.zeros(cols.n, bool)
    m = cols.doc_area
    wanted = set(codes)
    for code, col in cols.area_cols.items():
        if code in wanted or (prefix and code.startswith(prefix)):
            out[m.indices[m.indptr[col] : m.indptr[col + 1]]] = True
    return out


def _at(cols: ProgramColumns, now: float) -> tuple[np.ndarray, np.ndarray]:
    """(open rows, status factor) at `now`, computed once per interval in which no round changes."""
    cached = cols.moment
    if cached is not None and cached[0] <= now < cached[1]:
        return cached[2], cached[3]
    dated = cols.r_dated & ~cols.r_year
    open_ = rows_with(cols, dated & (cols.r_open <= now) & (now < cols.r_close))
    factor = np.ones(cols.n, np.float32)
    factor[rows_with(cols, dated & (cols.r_open > now))] = STATUS_FACTOR["upcoming"]
    factor[rows_with(cols, cols.r_year)] = STATUS_FACTOR["year_round"]
    factor[open_] = STATUS_FACTOR["open"]
    later = np.concatenate([cols.r_open[cols.r_open > now], cols.r_close[cols.r_close > now]])
    until = float(later.min()) if later.size else np.inf
    cols.moment = (now, until, open_, factor)  # one assignment: threads see the old or the new
    return open_, factor


def open_rows(cols: ProgramColumns, now: float) -> np.ndarray:
    """Return which rows have a round accepting applications at `now` (a timestamp)."""
    return _at(cols, now)[0]


def status_factor(cols: ProgramColumns, now: float) -> np.ndarray:
    """The multiplier per row, by status as catalog.status derives it (open wins, then 通年, 予定)."""
    return _at(cols, now)[1]


def get(corpus: Any) -> ProgramColumns | None:
    """Return the corpus's program columns, or None when it has none (or they are not its rows')."""
    cols = getattr(corpus, "programs", None)
    return cols if isinstance(cols, ProgramColumns) and cols.n == len(corpus) else None


def filter_rows(cols: ProgramColumns, filters: ProgramFilters, now: float) -> np.ndarray:
    """Rows of the programs that pass every set filter."""
    keep = cols.is_program.copy()
    if filters.open:
        keep &= open_rows(cols, now)
    if filters.closes_before is not None:
        end = dt.datetime.combine(filters.closes_before, dt.time.max, tzinfo=_JST).timestamp()
        keep &= rows_with(cols, ~cols.r_year & (cols.r_close > now) & (cols.r_close <= end))
    if filters.area is not None:
        from madoguchi.catalog.areas import ancestors

        keep &= cols.national | area_rows(cols, ancestors(filters.area))
    if filters.type is not None:
        keep &= cols.type_idx == (TYPES.index(filters.type) if filters.type in TYPES else -2)
    if filters.amount_min is not None:
        with np.errstate(invalid="ignore"):
            keep &= cols.amount_max >= filters.amount_min  # NaN (unknown) is never ≥
    if filters.employees is not None:
        keep &= cols.max_employees >= filters.employees
    return keep
