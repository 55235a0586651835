"""Scoring beyond the text: the facets a document satisfies, the filters' mask, and the institution fold.

search.engine combines these with the BM25 scores of the text index: each facet the question
states (function, stage, field, place) that a document satisfies lifts it (FACET_BOOST, by
FACET_WEIGHTS); the filters chosen narrow; and the candidates for a page are ordered by
institution (ORG_SUPPORT, REPEAT_DECAY). The constants' values were measured on the judged sets
(search/bench); each says how.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from madoguchi.search.corpus import Corpus
from madoguchi.search.facets import Facet, Gazetteer
from madoguchi.search.index import TextIndex

# How much a fully satisfied set of stated facets adds, relative to the best text score.
# 0.3: measured on two judged sets by different hands (own and dev); from 0.8 down to 0.3 both
# improve, below 0.25 both fall. A stronger boost lets a record that merely lists the function
# (the core institution lists all eight) outrank the one whose words fit the question.
FACET_BOOST = 0.3
FACET_WEIGHTS = {"function": 1.0, "stage": 0.5, "field": 0.8, "municipality": 0.4, "area": 0.2}
# Organization support: each candidate for a page (see FOLD_POOL) gains ORG_SUPPORT × the scores
# of the best ORG_SUPPORT_DOCS other candidates of its organization. The unit a 相談者
# needs is the institution: one whose own record and programs both answer the question is likelier
# the right window than a twin whose single record matches as well or a little better (the plan's
# 商工会 federations share one text). Measured on own and dev: 0.03 helps both with 1–5 documents
# counted; 0.1 and above helps own and hurts dev; counting every document lets the core
# institution's thirty-odd programs, which all repeat its name, add up on a name word alone.
ORG_SUPPORT = 0.03
ORG_SUPPORT_DOCS = 3
# A page is chosen from twice as many candidates: a page of 10 from the best 20 (a pool of 50
# was no better on either set and cost ~0.4 ms more at p95 for 20,000 documents).
FOLD_POOL = 2
# Diversity: an institution's second document counts ×0.6, its third ×0.36, … A page of 10 then
# names ~7.3 institutions instead of ~5 (the core institution's programs no longer fill it), and
# the institutions on it score nDCG@10 0.901 / 0.876 (own / dev) instead of 0.872 / 0.851; the
# first document of every institution keeps its place relative to the others'.
REPEAT_DECAY = 0.6


# --- facets --------------------------------------------------------------------------------


def _place_rows(corpus: Corpus, codes: Iterable[str]) -> np.ndarray:
    out = np.zeros(len(corpus), dtype=bool)
    m = corpus.doc_municipality
    for code in codes:
        col = corpus.municipality_cols.get(code)
        if col is not None:
            # The column's rows directly: summing a sparse slice makes an int64 array of N.
            out[m.indices[m.indptr[col] : m.indptr[col + 1]]] = True
    return out


def areas_of(gazetteer: Gazetteer, code: str) -> list[tuple[str, tuple[str, list[str]]]]:
    """Return the areas (slug, (name, municipality codes)) that a municipality belongs to."""
    return [(slug, area) for slug, area in gazetteer.areas.items() if code in area[1]]


def facet_arrays(corpus: Corpus, facets: Sequence[Facet], rows: np.ndarray | None = None) -> dict[Facet, np.ndarray]:
    """Return, per facet, which documents satisfy it (float: 1 yes, 0.5 unknown, 0 no).

    With `rows`, only for those documents, in that order (the same values, far less work).
    """
    out: dict[Facet, np.ndarray] = {}
    n = len(corpus) if rows is None else len(rows)

    def at(a: np.ndarray) -> np.ndarray:
        return a if rows is None else a[rows]

    for f in facets:
        if f.type == "function":
            arr = at(corpus.function_bits)
            bit = arr.dtype.type(corpus.functions.mask([f.code]))
            out[f] = ((arr & bit) != 0).astype(np.float32)
        elif f.type in ("stage", "field"):
            bits, arr = (corpus.stages, corpus.stage_bits) if f.type == "stage" else (corpus.fields, corpus.field_bits)
            arr = at(arr)
            bit = arr.dtype.type(bits.mask([f.code]))
            has = ((arr & bit) != 0).astype(np.float32)
            has[arr == 0] = 0.5  # the record says nothing about stages/fields: neither for nor against
            out[f] = has
        elif f.type == "municipality":
            here = at(_place_rows(corpus, corpus.gazetteer.expand(f.code))).astype(np.float32)
            # Half credit for the rest of its area: 「富谷で」 is served from Sendai in 仙台北部地域.
            for _slug, (_name, codes) in areas_of(corpus.gazetteer, f.code):
                near = at(_place_rows(corpus, [c for m in codes for c in corpus.gazetteer.expand(m)]))
                here = np.maximum(here, near * np.float32(0.5))
            out[f] = here
        elif f.type == "area":
            codes = [c for m in corpus.gazetteer.areas.get(f.code, ("", []))[1] for c in corpus.gazetteer.expand(m)]
            out[f] = at(_place_rows(corpus, codes)).astype(np.float32)
        else:
            out[f] = np.zeros(n, dtype=np.float32)
    return out


def filter_mask(corpus: Corpus, facets: Sequence[Facet], arrays: dict[Facet, np.ndarray],
                mask: np.ndarray | None = None) -> np.ndarray | None:
    """Return which documents the chosen filters (and `mask`, and the delta's tombstones) keep; None: all.

    A municipality chosen never narrows: it lifts the documents there (see search.engine).
    """
    if corpus.live is not None:
        mask = corpus.live if mask is None else (mask & corpus.live)
    for f in facets:
        if f.source != "filter" or f.type == "municipality":
            continue
        if f.type == "kind":
            keep = corpus.kind_idx == corpus.kinds.index(f.code) if f.code in corpus.kinds else np.zeros(len(corpus), bool)
        else:
            keep = arrays[f] > 0
        mask = keep if mask is None else (mask & keep)
    return mask


# --- the boost and the institution fold ------------------------------------------------------


def with_org_support(corpus: Corpus, top: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
    """Return the best `limit` of `top` after organization support and diversity.

    See ORG_SUPPORT and REPEAT_DECAY. Only the candidates for the page (FOLD_POOL × limit)
    take part, so the work is the same at 10^6 documents; ties keep the earlier order.
    """
    if len(top) < 2:
        return top[:limit]
    rows = corpus.rows
    keys = []
    place = []  # each document's place among its organization's documents (top is best first)
    count: dict[str, int] = {}
    best_k: dict[str, float] = {}  # per organization, the sum of its best ORG_SUPPORT_DOCS scores
    extra: dict[str, float] = {}  # … and of its next one
    for r, s in top:
        kind, id_, _title, _org, org_id, _url = rows[r]
        # A record without an organization stands alone.
        key = id_ if kind == "organization" else (org_id or f"{kind}:{id_}")
        n = count.get(key, 0)
        count[key] = n + 1
        if n < ORG_SUPPORT_DOCS:
            best_k[key] = best_k.get(key, 0.0) + s
        elif n == ORG_SUPPORT_DOCS:
            extra[key] = s
        keys.append(key)
        place.append(n)
    # The best ORG_SUPPORT_DOCS others: without the document itself when it is among them.
    supported = sorted(
        (
            (s + ORG_SUPPORT * (best_k[key] + extra.get(key, 0.0) - s if n <= ORG_SUPPORT_DOCS else best_k[key]), i, key, r)
            for i, ((r, s), key, n) in enumerate(zip(top, keys, place, strict=True))
        ),
        key=lambda t: (-t[0], t[1]),
    )
    seen: dict[str, int] = {}
    out = []
    for s, i, key, r in supported:
        repeat = seen.get(key, 0)
        seen[key] = repeat + 1
        out.append((s * REPEAT_DECAY**repeat if repeat else s, i, r))
    out.sort(key=lambda t: (-t[0], t[1]))
    return [(r, s) for s, _i, r in out[:limit]]


def rows_of(top: list[tuple[int, float]]) -> np.ndarray:
    """Return the rows of (row, score) pairs as an int64 array, in their order."""
    return np.fromiter((r for r, _s in top), dtype=np.int64, count=len(top))


def _boosted(corpus: Corpus, scores: np.ndarray, boosting: Sequence[Facet], best: float, rows: np.ndarray) -> np.ndarray:
    """Return the boosted scores of `rows` (all scoring above zero), as rank() has always computed them."""
    satisfied = satisfaction(facet_arrays(corpus, boosting, rows), boosting)
    satisfied *= FACET_BOOST * best
    return scores[rows] + satisfied


def satisfaction(arrays: dict[Facet, np.ndarray], boosting: Sequence[Facet]) -> np.ndarray:
    """Return how much of the stated facets each document satisfies: their FACET_WEIGHTS mean.

    In place, one new array: the same float32 operations in the same order as
    sum(arrays[f] * w) / total, so scores are the same to the bit on every path.
    """
    total = sum(FACET_WEIGHTS[f.type] for f in boosting)
    satisfied = arrays[boosting[0]] * FACET_WEIGHTS[boosting[0].type]
    for f in boosting[1:]:
        satisfied += arrays[f] * FACET_WEIGHTS[f.type]
    satisfied /= total
    return satisfied


def top_boosted(corpus: Corpus, scores: np.ndarray, boosting: Sequence[Facet], limit: int) -> list[tuple[int, float]]:
    """Return the top `limit` (row, boosted score) without boosting every document.

    A boost adds at most FACET_BOOST·best to a text score. The boosted scores of the best
    `limit` texts are real scores, so the limit-th of the final top is at least their lowest,
    `floor`; a document whose text score is below floor − FACET_BOOST·best cannot reach it.
    Only the rest (usually a few thousand of 10^6) are boosted and ranked, ties by row as before.
    """
    best = float(scores.max())
    first = TextIndex.top_rows(scores, limit)
    candidates: np.ndarray | None = None
    if len(first) >= limit:
        floor = float(_boosted(corpus, scores, boosting, best, rows_of(first)).min())
        # 1% margin: float32 rounding of the boost (a weighted mean may exceed 1 by an ulp).
        threshold = floor - FACET_BOOST * best * 1.01
        if threshold > 0:
            candidates = np.flatnonzero(scores >= np.float32(threshold))
    if candidates is None:
        candidates = np.flatnonzero(scores > 0)
    boosted = _boosted(corpus, scores, boosting, best, candidates)
    return [(int(candidates[i]), s) for i, s in TextIndex.top_rows(boosted, limit)]
