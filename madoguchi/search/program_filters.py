"""Catalog programs in the search: their facts in the index, the filters, soft facets and status.

A program's catalog facts (type, 上限額, 対象従業員数, area codes, call rounds, source) are stored
with its SearchDocument (`program`, a compact JSON text) and held by the Corpus as numpy columns
(`ProgramColumns`), so filtering 10^5 programs is a few array operations and no database query.

Status depends on the time: the columns keep each round's opens/closes as timestamps and the
status is derived with the request's `now` (a round is open from opens until closes, as in
catalog.status). Ranking: a small multiplicative boost by status (受付中 above 終了 of equal
relevance; ended rounds stay findable), and soft facets read from the question — a type word
(補助金) or a place (仙台市) — lift the programs that fit and say so in the reasons, never exclude.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from madoguchi.catalog.filters import ProgramFilters

TYPES = ("subsidy", "grant", "loan", "guarantee", "equity", "tax", "expert", "consultation", "training",
         "certification", "other")
# Status boost (multiplies the score): open rounds first, then 通年, 予定; 終了 and 不明 unchanged.
STATUS_FACTOR = {"open": 1.1, "year_round": 1.06, "upcoming": 1.03}
# A type word or a place in the question lifts the programs that fit by this factor each.
SOFT_FACTOR = 1.15
_JST = dt.timezone(dt.timedelta(hours=9))


# --- writing: a program's facts for its SearchDocument -------------------------------------


def _ts(moment: dt.datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp())


def program_facts(program: Any) -> str:
    """The JSON text stored with a program's document ("" for a program without catalog facts)."""
    from madoguchi.catalog.models import CatalogEntry

    try:
        entry = program.catalog
    except CatalogEntry.DoesNotExist:
        return ""
    rounds = [[_ts(r.opens_at), _ts(r.closes_at), 1 if r.year_round else 0] for r in entry.rounds.all()]
    facts = {
        "t": entry.type, "a": entry.amount_max, "e": entry.max_employees, "ar": entry.area_code_list,
        "r": rounds, "s": entry.source.name, "sa": entry.source.attribution_text, "u": program.url or "",
    }
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


def program_words(program: Any) -> str:
    """Words a catalog program is found by beyond its own text: its type (補助金), in Japanese."""
    from django.utils import translation

    from madoguchi.catalog.models import CatalogEntry

    try:
        entry = program.catalog
    except CatalogEntry.DoesNotExist:
        return ""
    with translation.override(None):  # the index is Japanese, whatever the language of the request
        return str(entry.get_type_display())


def connect_signals() -> None:
    """An entry or round saved in the admin rewrites its program's document (the importer marks its own)."""
    from django.db.models.signals import post_delete, post_save

    from madoguchi.catalog.models import CallRound, CatalogEntry
    from madoguchi.search.documents import mark_dirty

    def on_entry(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            mark_dirty("program", instance.program_id)

    def on_round(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            program_id = CatalogEntry.objects.filter(pk=instance.entry_id).values_list("program_id", flat=True).first()
            if program_id is not None:
                mark_dirty("program", program_id)

    for model, handler in ((CatalogEntry, on_entry), (CallRound, on_round)):
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"search-{model.__name__}-save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=f"search-{model.__name__}-delete")


# --- the columns ---------------------------------------------------------------------------


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


def _rows_with(cols: ProgramColumns, round_mask: np.ndarray) -> np.ndarray:
    out = np.zeros(cols.n, bool)
    out[cols.r_doc[round_mask]] = True
    return out


def _area_rows(cols: ProgramColumns, codes: Iterable[str], *, prefix: str = "") -> np.ndarray:
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
    open_ = _rows_with(cols, dated & (cols.r_open <= now) & (now < cols.r_close))
    factor = np.ones(cols.n, np.float32)
    factor[_rows_with(cols, dated & (cols.r_open > now))] = STATUS_FACTOR["upcoming"]
    factor[_rows_with(cols, cols.r_year)] = STATUS_FACTOR["year_round"]
    factor[open_] = STATUS_FACTOR["open"]
    later = np.concatenate([cols.r_open[cols.r_open > now], cols.r_close[cols.r_close > now]])
    until = float(later.min()) if later.size else np.inf
    cols.moment = (now, until, open_, factor)  # one assignment: threads see the old or the new
    return open_, factor


def open_rows(cols: ProgramColumns, now: float) -> np.ndarray:
    return _at(cols, now)[0]


def status_factor(cols: ProgramColumns, now: float) -> np.ndarray:
    """The multiplier per row, by status as catalog.status derives it (open wins, then 通年, 予定)."""
    return _at(cols, now)[1]


# --- the question --------------------------------------------------------------------------


@dataclass
class ProgramQuery:
    """What one search asks of the programs: the filters, the moment, and the soft facets read."""

    filters: ProgramFilters = field(default_factory=ProgramFilters)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    soft_type: str | None = None
    soft_place: tuple[str, str] | None = None  # (code, name as written)


def _place_names() -> list[tuple[str, str]]:
    from madoguchi.catalog.areas import place_names

    return place_names()


@functools.lru_cache(maxsize=1)
def _type_words() -> list[tuple[str, str]]:
    from madoguchi.catalog.parsing import _type_words as words

    return sorted(((w, code) for w, code in words().items() if not w.isascii() and len(w) >= 2), key=lambda t: -len(t[0]))


def read_soft(query: str, filters: ProgramFilters, now: dt.datetime | None = None) -> ProgramQuery:
    """The question's soft facets: a type word and a place, unless the same filter is set."""
    out = ProgramQuery(filters=filters, now=now or dt.datetime.now(dt.timezone.utc))
    if not query:
        return out
    if filters.type is None:
        out.soft_type = next((code for word, code in _type_words() if word in query), None)
    if filters.area is None:
        found = next(((name, code) for name, code in _place_names() if name in query), None)
        if found is not None:
            out.soft_place = (found[1], found[0])
    return out


# --- ranking and filtering -----------------------------------------------------------------


def get(corpus: Any) -> ProgramColumns | None:
    cols = getattr(corpus, "programs", None)
    return cols if isinstance(cols, ProgramColumns) and cols.n == len(corpus) else None


def _soft_rows(cols: ProgramColumns, pq: ProgramQuery) -> tuple[np.ndarray | None, np.ndarray | None]:
    type_rows = cols.type_idx == TYPES.index(pq.soft_type) if pq.soft_type in TYPES else None
    place_rows = None
    if pq.soft_place is not None:
        from madoguchi.catalog.areas import ancestors, lookup

        code = pq.soft_place[0]
        gov = lookup(code)
        # A prefecture named: its municipalities' programs are usable there too.
        prefix = code[:2] if gov is not None and gov.is_prefecture else ""
        place_rows = cols.is_program & (cols.national | _area_rows(cols, ancestors(code), prefix=prefix))
    return type_rows, place_rows


def adjust(corpus: Any, scores: np.ndarray, pq: ProgramQuery | None, *, listing: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the scores with the status and soft-facet boosts, and the filters' mask (None: no filter).

    `listing` (a question without words): the filtered programs score by their boosts alone.
    """
    cols = get(corpus)
    if cols is None or pq is None:
        if pq is not None and pq.filters.active:
            return scores, np.zeros(len(scores), bool)  # no catalog program can match
        return scores, None
    now = pq.now.timestamp()
    factor = status_factor(cols, now)
    type_rows, place_rows = _soft_rows(cols, pq)
    if type_rows is not None or place_rows is not None:
        factor = factor.copy()  # the cached one stays as it is
    for rows in (type_rows, place_rows):
        if rows is not None:
            factor[rows] *= np.float32(SOFT_FACTOR)
    mask = filter_rows(cols, pq.filters, now) if pq.filters.active else None
    if listing and mask is not None:
        scores = np.where(mask, factor, np.float32(0)).astype(np.float32)
    else:
        scores = scores * factor
    return scores, mask


def filter_rows(cols: ProgramColumns, filters: ProgramFilters, now: float) -> np.ndarray:
    """Rows of the programs that pass every set filter."""
    keep = cols.is_program.copy()
    if filters.open:
        keep &= open_rows(cols, now)
    if filters.closes_before is not None:
        end = dt.datetime.combine(filters.closes_before, dt.time.max, tzinfo=_JST).timestamp()
        keep &= _rows_with(cols, ~cols.r_year & (cols.r_close > now) & (cols.r_close <= end))
    if filters.area is not None:
        from madoguchi.catalog.areas import ancestors

        keep &= cols.national | _area_rows(cols, ancestors(filters.area))
    if filters.type is not None:
        keep &= cols.type_idx == (TYPES.index(filters.type) if filters.type in TYPES else -2)
    if filters.amount_min is not None:
        with np.errstate(invalid="ignore"):
            keep &= cols.amount_max >= filters.amount_min  # NaN (unknown) is never ≥
    if filters.employees is not None:
        keep &= cols.max_employees >= filters.employees
    return keep


# --- the hits ------------------------------------------------------------------------------


def _moment(ts: float | None) -> dt.datetime | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.timezone.utc)


def describe_hit(text: str, now: dt.datetime) -> dict[str, Any]:
    """The result fields of one program from its stored facts, with its status at `now`."""
    from django.utils.timezone import localtime

    from madoguchi.catalog.status import Status, Window, derive_status, next_deadline

    data = json.loads(text)
    windows = [Window(_moment(o), _moment(c), bool(y)) for o, c, y in data.get("r") or []]
    status = derive_status(windows, now) if windows else Status.UNKNOWN
    closes = next_deadline(windows, now)
    return {
        "type": data.get("t"), "status": str(status.value), "status_label": str(status.label),
        "closes": localtime(closes).isoformat() if closes else None, "amount_max": data.get("a"),
        "area_codes": list(data.get("ar") or []), "source": data.get("s"), "attribution": data.get("sa"),
        "program_url": data.get("u") or None,
    }


def annotate(corpus: Any, hits: Sequence[Any], rows: Sequence[int], pq: ProgramQuery | None) -> None:
    """Give each program hit its catalog fields and the soft facets' reasons."""
    from django.utils.translation import gettext as _

    from madoguchi.catalog.models import ProgramType

    cols = get(corpus)
    if cols is None:
        return
    now = pq.now if pq is not None else dt.datetime.now(dt.timezone.utc)
    type_rows, place_rows = _soft_rows(cols, pq) if pq is not None else (None, None)
    for hit, row in zip(hits, rows):
        text = cols.facts[row]
        if not text:
            continue
        hit.program = describe_hit(text, now)
        if place_rows is not None and place_rows[row] and pq is not None and pq.soft_place is not None:
            hit.reasons.append(_("%(place)sで使える制度") % {"place": pq.soft_place[1]})
        if type_rows is not None and type_rows[row]:
            hit.reasons.append(_("%(type)sの制度") % {"type": ProgramType(hit.program["type"]).label})
