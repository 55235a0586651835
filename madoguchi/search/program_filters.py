"""Catalog programs in the ranking: the question's program filters and soft facets, and the hits' fields.

Ranking: a small multiplicative boost by status (受付中 above 終了 of equal relevance; ended
rounds stay findable), and soft facets read from the question — a type word (補助金) or a place
(仙台市) — lift the programs that fit and say so in the reasons, never exclude. The filters
(open, closes_before, area, type, amount_min, employees) narrow to the programs that pass them
(search.program_columns.filter_rows). The columns themselves are search.program_columns'.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from madoguchi.catalog.filters import ProgramFilters
from madoguchi.search.program_columns import TYPES, ProgramColumns, area_rows, filter_rows, get, status_factor

# A type word or a place in the question lifts the programs that fit by this factor each.
SOFT_FACTOR = 1.15


# --- the question --------------------------------------------------------------------------


@dataclass
class ProgramQuery:
    """What one search asks of the programs: the filters, the moment, and the soft facets read."""

    filters: ProgramFilters = field(default_factory=ProgramFilters)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    soft_type: str | None = None
    soft_place: tuple[str, str] | None = None  # (code, name as written)


def _place_names() -> list[tuple[str, str]]:
    from madoguchi.catalog.areas import place_names

    return place_names()


@functools.lru_cache(maxsize=1)
def _type_words() -> list[tuple[str, str]]:
    from madoguchi.catalog.parsing import type_words as words

    return sorted(((w, code) for w, code in words().items() if not w.isascii() and len(w) >= 2), key=lambda t: -len(t[0]))


def read_soft(query: str, filters: ProgramFilters, now: dt.datetime | None = None) -> ProgramQuery:
    """The question's soft facets: a type word and a place, unless the same filter is set."""
    out = ProgramQuery(filters=filters, now=now or dt.datetime.now(dt.UTC))
    if not query:
        return out
    if filters.type is None:
        out.soft_type = next((code for word, code in _type_words() if word in query), None)
    if filters.area is None:
        found = next(((name, code) for name, code in _place_names() if name in query), None)
        if found is not None:
            out.soft_place = (found[1], found[0])
    return out


# --- ranking ------------------------------------------------------------------------------


def _soft_rows(cols: ProgramColumns, pq: ProgramQuery) -> tuple[np.ndarray | None, np.ndarray | None]:
    type_rows = cols.type_idx == TYPES.index(pq.soft_type) if pq.soft_type in TYPES else None
    place_rows = None
    if pq.soft_place is not None:
        from madoguchi.catalog.areas import ancestors, lookup

        code = pq.soft_place[0]
        gov = lookup(code)
        # A prefecture named: its municipalities' programs are usable there too.
        prefix = code[:2] if gov is not None and gov.is_prefecture else ""
        place_rows = cols.is_program & (cols.national | area_rows(cols, ancestors(code), prefix=prefix))
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


# --- the hits ------------------------------------------------------------------------------


def _moment(ts: float | None) -> dt.datetime | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC)


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


def annotate(corpus: Any, hits: Sequence[Any], rows: Sequence[int] | np.ndarray, pq: ProgramQuery | None) -> None:
    """Give each program hit its catalog fields and the soft facets' reasons."""
    from django.utils.translation import gettext as _

    from madoguchi.catalog.models import ProgramType

    cols = get(corpus)
    if cols is None:
        return
    now = pq.now if pq is not None else dt.datetime.now(dt.UTC)
    type_rows, place_rows = _soft_rows(cols, pq) if pq is not None else (None, None)
    for hit, row in zip(hits, rows, strict=True):
        text = cols.facts[row]
        if not text:
            continue
        hit.program = describe_hit(text, now)
        if place_rows is not None and place_rows[row] and pq is not None and pq.soft_place is not None:
            hit.reasons.append(_("%(place)sで使える制度") % {"place": pq.soft_place[1]})
        if type_rows is not None and type_rows[row]:
            hit.reasons.append(_("%(type)sの制度") % {"type": ProgramType(hit.program["type"]).label})
