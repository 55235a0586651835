"""The ranking: a question over a Corpus, answered with ranked, explained hits. No database here.

search.service.search() hands `search_corpus()` the per-process Corpus (search.live keeps it
current); the benchmarks build one from generated DocMeta (search.corpus.build_corpus_index)
and rank the same way. The parts: the question (search.query), the facets and the institution
fold (search.scoring), the reasons (search.reasons), catalog programs (search.program_filters).

Ranking: BM25 over analysed text (names count twice), plus a boost for each facet the
question states (function, stage, field, place) that the document satisfies. Kind, and the
function/stage/field chosen explicitly as filters, narrow the results; place never narrows
(nearly every institution of the plan sits in Sendai and serves the whole prefecture), it
only lifts documents in the same municipality or area. Last, the candidates for a page are
ordered by institution: an institution's matching documents support each other a little, and
its second and later documents are damped, so a page names more institutions.

Catalog programs (search.program_filters): the filters open, closes_before, area, type,
amount_min and employees narrow to them; their status multiplies the score a little (open calls
first), and a type or a place named in the question lifts the programs that fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from madoguchi.catalog.filters import ProgramFilters
from madoguchi.search import program_columns, program_filters
from madoguchi.search.corpus import Corpus
from madoguchi.search.facets import Facet, recognise
from madoguchi.search.index import TextIndex
from madoguchi.search.program_filters import ProgramQuery
from madoguchi.search.query import clean_query, explicit_facets, query_terms
from madoguchi.search.reasons import hits_with_reasons
from madoguchi.search.results import Hit, SearchResponse
from madoguchi.search.scoring import (
    FACET_BOOST,
    FACET_WEIGHTS,
    FOLD_POOL,
    facet_arrays,
    filter_mask,
    rows_of,
    satisfaction,
    top_boosted,
    with_org_support,
)

MAX_LIMIT = 50


def search_corpus(
    corpus: Corpus,
    query: str = "",
    *,
    function: str | None = None,
    stage: str | None = None,
    municipality: str | None = None,
    kind: str | None = None,
    field: str | None = None,
    limit: int = 10,
    programs: ProgramFilters | None = None,
    now: Any = None,
) -> SearchResponse:
    """Return the ranked answer to a question over a Corpus (no database needed).

    `programs`: the catalog filters (search.program_filters); `now`: the moment statuses are taken at.
    """
    q, notice = clean_query(query)
    limit = max(1, min(int(limit), MAX_LIMIT))
    filters = {"function": function, "stage": stage, "municipality": municipality, "kind": kind, "field": field}
    explicit = explicit_facets(corpus, filters)
    stated = recognise(q, corpus.gazetteer, stage_labels=corpus.stage_labels, field_labels=corpus.field_labels)
    chosen = {(f.type) for f in explicit}
    # An explicit choice replaces what the text said about the same facet type.
    facets = explicit + [f for f in stated if f.type not in chosen and not (f.type == "area" and "municipality" in chosen)]
    response = SearchResponse(query=q, notice=notice, facets=facets)
    pq = program_filters.read_soft(q, programs or ProgramFilters(), now) if program_columns.get(corpus) or programs else None
    if not q and not explicit and not (pq and pq.filters.active):
        response.diagnosis_entry = True
        return response
    response.results = rank(corpus, q, facets, limit, pq)
    return response


def rank(corpus: Corpus, query: str, facets: Sequence[Facet], limit: int, pq: ProgramQuery | None = None) -> list[Hit]:
    """Return the top `limit` hits for a cleaned question and its facets, with reasons."""
    weighted = query_terms(corpus, query) if query else ()
    terms = [t for t, _w in weighted]
    weights = [w for _t, w in weighted]
    scores = corpus.index.scores(terms, weights)
    boosting = [f for f in facets if f.type in FACET_WEIGHTS]
    depth = limit * FOLD_POOL
    text_matched = bool(terms) and scores.size > 0 and float(scores.max()) > 0
    scores, program_mask = program_filters.adjust(corpus, scores, pq, listing=not terms)
    filtering = program_mask is not None or any(f.source == "filter" and f.type != "municipality" for f in facets)
    if boosting and not filtering and text_matched:
        top = with_org_support(corpus, top_boosted(corpus, scores, boosting, depth), limit)
        return _hits(corpus, top, query, weighted, facets, facet_arrays(corpus, facets, rows_of(top)), pq)
    if not terms and program_mask is not None:
        boosting = []  # no words, only program filters: a list ordered by status
    arrays = facet_arrays(corpus, facets)
    if boosting:
        satisfied = satisfaction(arrays, boosting)
        best = float(scores.max()) if scores.size else 0.0
        if best > 0:
            # Lift text matches by what they satisfy; documents without a text match stay out.
            satisfied *= FACET_BOOST * best
            np.add(scores, satisfied, out=scores, where=scores > 0)
        elif not terms or best == 0:
            scores = satisfied.astype(np.float32)
    mask = filter_mask(corpus, facets, arrays, program_mask)
    if text_matched:
        top = with_org_support(corpus, TextIndex.top_rows(scores, depth, mask=mask), limit)
    else:  # facets alone: support would only count how many records an organization has
        top = TextIndex.top_rows(scores, limit, mask=mask)
    rows = rows_of(top)
    return _hits(corpus, top, query, weighted, facets, {f: a[rows] for f, a in arrays.items()}, pq)


def _hits(
    corpus: Corpus,
    top: list[tuple[int, float]],
    query: str,
    weighted: Sequence[tuple[str, float]],
    facets: Sequence[Facet],
    arrays: dict[Facet, np.ndarray],
    pq: ProgramQuery | None,
) -> list[Hit]:
    """Return the Hits of the top rows with their reasons, programs with their catalog fields too."""
    hits = hits_with_reasons(corpus, top, query, weighted, facets, arrays)
    if hits:
        program_filters.annotate(corpus, hits, rows_of(top), pq)
    return hits
