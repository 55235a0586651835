"""One search behind the page, the API, the CLI and the diagnosis.

`search()` loads the per-process Corpus (built from SearchDocument rows, refreshed when
IndexVersion changes) and calls `search_corpus()`, which needs no database: the benchmarks
build a Corpus from generated DocMeta with `build_corpus_index()` and rank the same way.

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

import functools
import re
from array import array
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.utils.translation import gettext as _

from madoguchi.search.analysis import (
    GRAM_PREFIX,
    READING_PREFIX,
    analyze,
    WEIGHT_HOMOPHONE,
    WEIGHT_READING,
    analyze_query_weighted,
    kana_chunks,
    segment_reading,
    unknown_kanji_readings,
    matched_glossary,
    matched_synonyms,
    name_terms,
    normalize,
)
from madoguchi.search.facets import (
    DEFAULT_FIELD_LABELS,
    DEFAULT_STAGE_LABELS,
    FUNCTION_CODES,
    FUNCTION_LABELS,
    KIND_LABELS,
    Facet,
    Gazetteer,
    recognise,
)
from madoguchi.search import program_filters
from madoguchi.search.index import TextIndex
from madoguchi.search.program_filters import ProgramFilters, ProgramQuery

_KATAKANA_WORD = re.compile(r"^[\u30a0-\u30ffー]{2,}$")
MAX_QUERY_CHARS = 200
MAX_LIMIT = 50
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


class SearchError(ValueError):
    """A filter the caller gave is not known; `parameter` names it, the message is Japanese."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


_SHARED_CODES: dict[frozenset[str], frozenset[str]] = {}


def _shared_codes(codes: Iterable[str]) -> frozenset[str]:
    """Return the codes as a frozenset shared by every document with the same codes.

    At 10^6 documents four small sets each cost ~0.9 GB; the combinations are few.
    """
    key = codes if isinstance(codes, frozenset) else frozenset(codes)
    if len(_SHARED_CODES) >= 100_000:  # pathological variety: stop sharing, never grow unbounded
        return _SHARED_CODES.get(key, key)
    return _SHARED_CODES.setdefault(key, key)


@dataclass(slots=True)
class DocMeta:
    """One searchable record. `terms`, when given, are used instead of analysing title + text.

    Slots and shared code sets: a benchmark holds 10^6 of these while the index is built.
    """

    id: str
    kind: str
    title: str
    text: str = ""
    organization: str | None = None
    organization_id: str | None = None
    functions: AbstractSet[str] = field(default_factory=frozenset)
    stages: AbstractSet[str] = field(default_factory=frozenset)
    fields: AbstractSet[str] = field(default_factory=frozenset)
    municipalities: AbstractSet[str] = field(default_factory=frozenset)
    url: str = ""
    terms: Sequence[str] | None = None
    program: str = ""  # a catalog program's facts as JSON (search.program_filters)

    def __post_init__(self) -> None:
        self.functions = _shared_codes(self.functions)
        self.stages = _shared_codes(self.stages)
        self.fields = _shared_codes(self.fields)
        self.municipalities = _shared_codes(self.municipalities)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def index_terms(self) -> list[str]:
        """Return the terms to index: the name twice (names matter most), then the text."""
        if self.terms is not None:
            return list(self.terms)
        title = name_terms(self.title)
        return title + title + analyze(self.text)


@dataclass
class Hit:
    kind: str
    id: str
    name: str
    organization: str | None
    organization_id: str | None
    score: float
    reasons: list[str]
    url: str = ""
    program: dict[str, Any] | None = None  # a catalog program's type, status, closes, … (program_filters)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "id": self.id, "name": self.name, "organization": self.organization,
            "organization_id": self.organization_id, "score": round(self.score, 4),
            "reasons": self.reasons, "url": self.url, **(self.program or {}),
        }


@dataclass
class SearchResponse:
    query: str
    notice: str | None = None
    facets: list[Facet] = field(default_factory=list)
    results: list[Hit] = field(default_factory=list)
    diagnosis_entry: bool = False

    def facet(self, type_: str) -> Facet | None:
        """Return the first facet of a type (the one a form pre-selects)."""
        return next((f for f in self.facets if f.type == type_), None)


class _Bits:
    """Codes → bit positions for a set-valued attribute stored as one integer per document."""

    def __init__(self, codes: Iterable[str] = ()) -> None:
        self.bit: dict[str, int] = {}
        for c in codes:
            self.add(c)

    def add(self, code: str) -> int:
        if code not in self.bit:
            if len(self.bit) >= 63:
                return 0  # more codes than bits: ignored for boosting, never an error
            self.bit[code] = 1 << len(self.bit)
        return self.bit[code]

    def mask(self, codes: Iterable[str]) -> int:
        m = 0
        for c in codes:
            m |= self.bit.get(c, 0)
        return m


@dataclass
class Corpus:
    """A TextIndex plus per-document metadata in arrays, ready for `search_corpus`."""

    index: TextIndex
    rows: list[tuple[str, str, str, str | None, str | None, str]]  # kind, id, title, org, org_id, url
    kinds: list[str]
    kind_idx: np.ndarray
    functions: _Bits
    function_bits: np.ndarray
    stages: _Bits
    stage_bits: np.ndarray
    fields: _Bits
    field_bits: np.ndarray
    municipality_cols: dict[str, int]
    doc_municipality: sp.csc_matrix
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    stage_labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STAGE_LABELS))
    field_labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELD_LABELS))
    version: Any = 0
    readings: set[str] = field(default_factory=set)
    live: np.ndarray | None = None  # False for rows superseded by a delta (search.delta); None: all live
    programs: Any = None  # program_filters.ProgramColumns of the catalog programs, or None

    def __post_init__(self) -> None:
        # Every reading the documents use: kana-only questions are segmented against these.
        if not self.readings:
            self.readings = {
                t.removeprefix(READING_PREFIX) for t in self.index.vocab
                if len(t) > 1 and (t.startswith(READING_PREFIX) or _KATAKANA_WORD.match(t))
            }

    def __len__(self) -> int:
        return len(self.rows)


def _narrow(bits: np.ndarray, codes: _Bits) -> np.ndarray:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if len(codes.bit) <= np.iinfo(dtype).bits:
            return bits.astype(dtype)
    return bits


class _Keys(Sequence[str]):
    """The index's document ids ("kind:id"), read from the rows instead of stored twice.

    At 10^6 documents a list of key strings costs ~80 MB that the rows already hold.
    """

    __slots__ = ("rows",)

    def __init__(self, rows: list[tuple[str, str, str, str | None, str | None, str]]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [f"{r[0]}:{r[1]}" for r in self.rows[i]]
        row = self.rows[i]
        return f"{row[0]}:{row[1]}"


def build_corpus_index(
    docs: Iterable[DocMeta],
    *,
    gazetteer: Gazetteer | None = None,
    stage_labels: dict[str, str] | None = None,
    field_labels: dict[str, str] | None = None,
    progress: Any = None,
    total: int | None = None,
    version: Any = 0,
) -> Corpus:
    """Return the Corpus of `docs`: analyse (unless terms are given) and index them.

    One pass: `docs` may be a generator, and each document is dropped once its terms and
    metadata are taken, so a caller never has to hold 10^6 of them (~0.8 GB) while the index
    is built. `total` (or len(docs) when it has one) is only for `progress(done, total)`.
    """
    if total is None and hasattr(docs, "__len__"):
        total = len(docs)  # type: ignore[arg-type]
    kinds: list[str] = []
    kind_pos: dict[str, int] = {}
    functions = _Bits(FUNCTION_CODES)
    stages = _Bits(stage_labels or DEFAULT_STAGE_LABELS)
    fields_ = _Bits(field_labels or DEFAULT_FIELD_LABELS)
    # Compact growable arrays (8, 2 or 4 bytes an entry), not lists of Python ints.
    kind_idx, function_bits, stage_bits, field_bits = array("h"), array("Q"), array("Q"), array("Q")
    muni_cols: dict[str, int] = {}
    m_rows, m_cols = array("i"), array("i")
    rows: list[tuple[str, str, str, str | None, str | None, str]] = []
    bits_of: dict[tuple[AbstractSet[str], AbstractSet[str], AbstractSet[str]], tuple[int, int, int]] = {}
    program_facts: list[tuple[int, str]] = []

    def term_lists() -> Iterable[list[str]]:
        for i, d in enumerate(docs):
            if progress is not None and i % 1000 == 0:
                progress(i, total if total is not None else i)
            if d.kind not in kind_pos:
                kind_pos[d.kind] = len(kinds)
                kinds.append(d.kind)
            kind_idx.append(kind_pos[d.kind])
            # The code sets are shared between documents (DocMeta), so few combinations recur.
            key = (d.functions, d.stages, d.fields)
            bits = bits_of.get(key)
            if bits is None:
                bits = (
                    sum(functions.bit.get(c, 0) for c in d.functions),
                    sum(stages.add(c) for c in d.stages),
                    sum(fields_.add(c) for c in d.fields),
                )
                if len(bits_of) < 100_000:
                    bits_of[key] = bits
            function_bits.append(bits[0])
            stage_bits.append(bits[1])
            field_bits.append(bits[2])
            for code in d.municipalities:
                m_rows.append(i)
                m_cols.append(muni_cols.setdefault(code, len(muni_cols)))
            rows.append((d.kind, d.id, d.title, d.organization, d.organization_id, d.url))
            if d.program:
                program_facts.append((i, d.program))
            yield d.index_terms()
        if progress is not None:
            progress(len(rows), len(rows))

    index = TextIndex.from_terms(_Keys(rows), term_lists())
    n = len(rows)

    def as_numpy(a: array, dtype: Any) -> np.ndarray:
        return np.frombuffer(a, dtype=dtype).copy() if len(a) else np.zeros(0, dtype=dtype)

    # The narrowest integer that holds the codes: the per-question bit tests read N of them.
    function_bits_np, stage_bits_np, field_bits_np = (
        _narrow(as_numpy(function_bits, np.uint64), functions), _narrow(as_numpy(stage_bits, np.uint64), stages),
        _narrow(as_numpy(field_bits, np.uint64), fields_),
    )
    doc_muni = sp.csc_matrix(
        (np.ones(len(m_rows), dtype=np.int8), (as_numpy(m_rows, np.int32), as_numpy(m_cols, np.int32))),
        shape=(n, max(len(muni_cols), 1)),
    )
    return Corpus(
        index=index, rows=rows, kinds=kinds, kind_idx=as_numpy(kind_idx, np.int16), functions=functions,
        function_bits=function_bits_np, stages=stages, stage_bits=stage_bits_np, fields=fields_,
        field_bits=field_bits_np, municipality_cols=muni_cols, doc_municipality=doc_muni,
        gazetteer=gazetteer or Gazetteer(),
        stage_labels=dict(stage_labels or DEFAULT_STAGE_LABELS),
        field_labels=dict(field_labels or DEFAULT_FIELD_LABELS), version=version,
        programs=program_filters.columns(n, program_facts) if program_facts else None,
    )


# --- the question ------------------------------------------------------------------------


def clean_query(query: str | None) -> tuple[str, str | None]:
    """Return the question normalised and capped at MAX_QUERY_CHARS, and a notice if it was cut."""
    q = normalize(query or "")
    if len(q) > MAX_QUERY_CHARS:
        return q[:MAX_QUERY_CHARS].strip(), _("質問が長すぎるため、先頭%(n)d文字で検索しました。") % {"n": MAX_QUERY_CHARS}
    return q, None


def _explicit_facets(corpus: Corpus, filters: dict[str, str | None]) -> list[Facet]:
    out = []
    labels = {
        "function": FUNCTION_LABELS, "stage": corpus.stage_labels, "field": corpus.field_labels,
        "kind": KIND_LABELS, "municipality": corpus.gazetteer.labels,
    }
    messages = {
        "function": _("支援機能「%(v)s」は選べません。"), "stage": _("事業段階「%(v)s」は選べません。"),
        "field": _("分野「%(v)s」は選べません。"), "kind": _("種類「%(v)s」は選べません。"),
        "municipality": _("市区町村「%(v)s」は登録されていません。"),
    }
    for type_ in ("function", "stage", "field", "kind", "municipality"):
        value = (filters.get(type_) or "").strip()
        if not value:
            continue
        table = labels[type_]
        if type_ == "kind" and value not in table and value in corpus.kinds:
            table = {**table, value: value}
        if type_ == "municipality" and value not in table and value in corpus.municipality_cols:
            table = {**table, value: value}
        if value not in table:
            raise SearchError(type_, messages[type_] % {"v": value[:50]})
        out.append(Facet(type_, value, str(table[value]), "filter"))
    return out


def _place_rows(corpus: Corpus, codes: Iterable[str]) -> np.ndarray:
    out = np.zeros(len(corpus), dtype=bool)
    m = corpus.doc_municipality
    for code in codes:
        col = corpus.municipality_cols.get(code)
        if col is not None:
            # The column's rows directly: summing a sparse slice makes an int64 array of N.
            out[m.indices[m.indptr[col] : m.indptr[col + 1]]] = True
    return out


def _areas_of(gazetteer: Gazetteer, code: str) -> list[tuple[str, tuple[str, list[str]]]]:
    return [(slug, area) for slug, area in gazetteer.areas.items() if code in area[1]]


def _facet_arrays(corpus: Corpus, facets: Sequence[Facet], rows: np.ndarray | None = None) -> dict[Facet, np.ndarray]:
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
            for _slug, (_name, codes) in _areas_of(corpus.gazetteer, f.code):
                near = at(_place_rows(corpus, [c for m in codes for c in corpus.gazetteer.expand(m)]))
                here = np.maximum(here, near * np.float32(0.5))
            out[f] = here
        elif f.type == "area":
            codes = [c for m in corpus.gazetteer.areas.get(f.code, ("", []))[1] for c in corpus.gazetteer.expand(m)]
            out[f] = at(_place_rows(corpus, codes)).astype(np.float32)
        else:
            out[f] = np.zeros(n, dtype=np.float32)
    return out


def _filter_mask(corpus: Corpus, facets: Sequence[Facet], arrays: dict[Facet, np.ndarray],
                 mask: np.ndarray | None = None) -> np.ndarray | None:
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


# --- ranking -------------------------------------------------------------------------------


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
    explicit = _explicit_facets(corpus, filters)
    stated = recognise(q, corpus.gazetteer, stage_labels=corpus.stage_labels, field_labels=corpus.field_labels)
    chosen = {(f.type) for f in explicit}
    # An explicit choice replaces what the text said about the same facet type.
    facets = explicit + [f for f in stated if f.type not in chosen and not (f.type == "area" and "municipality" in chosen)]
    response = SearchResponse(query=q, notice=notice, facets=facets)
    pq = program_filters.read_soft(q, programs or ProgramFilters(), now) if program_filters.get(corpus) or programs else None
    if not q and not explicit and not (pq and pq.filters.active):
        response.diagnosis_entry = True
        return response
    response.results = rank(corpus, q, facets, limit, pq)
    return response


def _query_terms(corpus: Corpus, query: str) -> tuple[tuple[str, float], ...]:
    """The analysed question, plus its kana chunks split into readings this corpus knows."""
    weighted = analyze_query_weighted(query)
    chunks = kana_chunks(query)
    slips = unknown_kanji_readings(query, corpus.index.vocab)
    if not chunks and not slips:
        return weighted
    have = {t for t, _w in weighted}
    extra = []

    def add_readings(readings: Iterable[str], weight: float) -> None:
        for reading in readings:
            # The reading of a kanji word, or a katakana word itself (indexed without prefix).
            for term in (READING_PREFIX + reading, reading):
                if term not in have and term in corpus.index.vocab:
                    have.add(term)
                    extra.append((term, weight))

    for chunk in chunks:
        add_readings(segment_reading(chunk, corpus.readings), WEIGHT_READING)
    for slip in slips:
        parts = segment_reading(slip, corpus.readings)
        # Only when known readings spell the whole sound: a partial cover is a guess.
        if "".join(parts) == slip:
            add_readings(parts, WEIGHT_HOMOPHONE)
    return weighted + tuple(extra)


def rank(corpus: Corpus, query: str, facets: Sequence[Facet], limit: int, pq: ProgramQuery | None = None) -> list[Hit]:
    """Return the top `limit` hits for a cleaned question and its facets, with reasons."""
    weighted = _query_terms(corpus, query) if query else ()
    terms = [t for t, _w in weighted]
    weights = [w for _t, w in weighted]
    scores = corpus.index.scores(terms, weights)
    boosting = [f for f in facets if f.type in FACET_WEIGHTS]
    depth = limit * FOLD_POOL
    text_matched = bool(terms) and scores.size > 0 and float(scores.max()) > 0
    scores, program_mask = program_filters.adjust(corpus, scores, pq, listing=not terms)
    filtering = program_mask is not None or any(f.source == "filter" and f.type != "municipality" for f in facets)
    if boosting and not filtering and text_matched:
        top = _with_org_support(corpus, _top_boosted(corpus, scores, boosting, depth), limit)
        return _hits(corpus, top, query, weighted, facets, _facet_arrays(corpus, facets, _rows_of(top)), pq)
    if not terms and program_mask is not None:
        boosting = []  # no words, only program filters: a list ordered by status
    arrays = _facet_arrays(corpus, facets)
    if boosting:
        satisfied = _satisfied(arrays, boosting)
        best = float(scores.max()) if scores.size else 0.0
        if best > 0:
            # Lift text matches by what they satisfy; documents without a text match stay out.
            satisfied *= FACET_BOOST * best
            np.add(scores, satisfied, out=scores, where=scores > 0)
        elif not terms or best == 0:
            scores = satisfied.astype(np.float32)
    mask = _filter_mask(corpus, facets, arrays, program_mask)
    if text_matched:
        top = _with_org_support(corpus, TextIndex.top_rows(scores, depth, mask=mask), limit)
    else:  # facets alone: support would only count how many records an organization has
        top = TextIndex.top_rows(scores, limit, mask=mask)
    rows = _rows_of(top)
    return _hits(corpus, top, query, weighted, facets, {f: a[rows] for f, a in arrays.items()}, pq)


def _with_org_support(corpus: Corpus, top: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
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
            for i, ((r, s), key, n) in enumerate(zip(top, keys, place))
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


def _rows_of(top: list[tuple[int, float]]) -> np.ndarray:
    return np.fromiter((r for r, _s in top), dtype=np.int64, count=len(top))


def _boosted(corpus: Corpus, scores: np.ndarray, boosting: Sequence[Facet], best: float, rows: np.ndarray) -> np.ndarray:
    """Return the boosted scores of `rows` (all scoring above zero), as rank() has always computed them."""
    satisfied = _satisfied(_facet_arrays(corpus, boosting, rows), boosting)
    satisfied *= FACET_BOOST * best
    return scores[rows] + satisfied


def _satisfied(arrays: dict[Facet, np.ndarray], boosting: Sequence[Facet]) -> np.ndarray:
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


def _top_boosted(corpus: Corpus, scores: np.ndarray, boosting: Sequence[Facet], limit: int) -> list[tuple[int, float]]:
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
        floor = float(_boosted(corpus, scores, boosting, best, _rows_of(first)).min())
        # 1% margin: float32 rounding of the boost (a weighted mean may exceed 1 by an ulp).
        threshold = floor - FACET_BOOST * best * 1.01
        if threshold > 0:
            candidates = np.flatnonzero(scores >= np.float32(threshold))
    if candidates is None:
        candidates = np.flatnonzero(scores > 0)
    boosted = _boosted(corpus, scores, boosting, best, candidates)
    return [(int(candidates[i]), s) for i, s in TextIndex.top_rows(boosted, limit)]


# --- reasons -------------------------------------------------------------------------------


def _term_origin(query: str) -> dict[str, str]:
    """Return {term: the words of the question it came from} for synonym and glossary terms."""
    origin: dict[str, str] = {}
    for phrase, expansion in matched_synonyms(query):
        for t in analyze(expansion):
            origin.setdefault(t, phrase)
    for word, japanese in matched_glossary(query):
        for t in analyze(japanese):
            origin.setdefault(t, word)
    return origin


@functools.lru_cache(maxsize=4096)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(name_terms(title))


def _templates() -> dict[str, str]:
    """The reason sentences, translated once per question rather than once per reason."""
    return {
        "reading": _("読み「%(w)s」が%(where)sに一致"),
        "word": _("「%(w)s」が%(where)sに一致"),
        "rewritten": _("「%(src)s」を%(words)sと読み替えて%(where)sに一致"),
        "name_part": _("名称の一部が一致"),
        "near": _("%(label)sと同じ%(area)sに所在"),
        "function": _("%(label)sを行う"),
        "stage": _("%(label)sの支援"),
        "field": _("%(label)s分野に対応"),
        "municipality": _("%(label)sに所在"),
        "area": _("%(label)s内に所在"),
        "program": _("%(org)sの事業"),
        "event": _("%(org)sが主催"),
        "fallback": _("条件に合う%(kind)s"),
        "title": _("名称"),
        "text": _("説明"),
    }


def _hits(
    corpus: Corpus,
    top: list[tuple[int, float]],
    query: str,
    weighted: Sequence[tuple[str, float]],
    facets: Sequence[Facet],
    arrays: dict[Facet, np.ndarray],
    pq: ProgramQuery | None = None,
) -> list[Hit]:
    """Return Hits with reasons for the top rows; per-question work is done once."""
    if not top:
        return []
    rows = np.fromiter((r for r, _s in top), dtype=np.int64, count=len(top))
    terms = [t for t, _w in weighted]
    contributions = corpus.index.term_scores(terms, rows) * np.asarray([w for _t, w in weighted] or [0.0], dtype=np.float32)[: len(terms), None]
    origin = _term_origin(query) if query else {}
    direct = set(analyze(query)) if query else set()
    text = _templates()
    areas = {f.code: _areas_of(corpus.gazetteer, f.code)[:1] for f in facets if f.type == "municipality"}
    hits = []
    for i, (row, score) in enumerate(top):
        kind, id_, title, org, org_id, url = corpus.rows[row]
        title_terms = _title_terms(title)
        reasons: list[Any] = []
        order = sorted((j for j, t in enumerate(terms) if not t.startswith(GRAM_PREFIX)), key=lambda j: -contributions[j, i])
        shown: set[str] = set()
        rewritten: dict[tuple[str, str], list[str]] = {}  # (question words, where) → domain words
        text_reasons = 0
        for j in order:
            term = terms[j]
            if contributions[j, i] <= 0 or text_reasons >= 4:
                continue
            word = term.removeprefix(READING_PREFIX)
            # A compound's short units (半導体 → 導体) and one-character pieces say nothing new.
            if word in shown or any(word in w for w in shown) or (len(word) == 1 and shown):
                continue
            shown.add(word)
            where = text["title"] if term in title_terms else text["text"]
            if term.startswith(READING_PREFIX):
                reasons.append(text["reading"] % {"w": word, "where": where})
            elif term in origin and term not in direct:
                key = (origin[term], where)
                if key not in rewritten:
                    rewritten[key] = []
                    reasons.append(key)
                rewritten[key].append(word)
                continue
            else:
                reasons.append(text["word"] % {"w": word, "where": where})
            text_reasons += 1
        reasons = [
            text["rewritten"] % {"src": r[0], "words": "".join(f"「{w}」" for w in rewritten[r]), "where": r[1]}
            if isinstance(r, tuple) else r
            for r in reasons
        ]
        if not shown and any(contributions[j, i] > 0 for j, t in enumerate(terms) if t.startswith(GRAM_PREFIX)):
            reasons.append(text["name_part"])
        for f in facets:
            value = float(arrays[f][i]) if f in arrays else 0.0
            if f.type == "municipality" and value == 0.5:
                for _slug, (area_name, _codes) in areas.get(f.code, []):
                    reasons.append(text["near"] % {"label": f.label, "area": area_name})
            if value >= 1.0 and f.type in ("function", "stage", "field", "municipality", "area"):
                reasons.append(text[f.type] % {"label": f.label})
        if kind in ("program", "event") and org:
            reasons.append(text[kind] % {"org": org})
        if not reasons:
            reasons.append(text["fallback"] % {"kind": KIND_LABELS.get(kind, kind)})
        hits.append(Hit(kind, id_, title, org, org_id, score, reasons, url))
    program_filters.annotate(corpus, hits, rows, pq)
    return hits


# --- the per-process corpus from the database ----------------------------------------------

_corpus: Corpus | None = None


def current_corpus() -> Corpus:
    """Return this process's Corpus: the main index plus the documents changed since (search.live)."""
    global _corpus
    from madoguchi.search.live import refreshed

    _corpus = refreshed(_corpus)
    return _corpus


def search(
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
    """Return the answer to a question over the current database (see module docstring)."""
    return search_corpus(
        current_corpus(), query, function=function, stage=stage, municipality=municipality,
        kind=kind, field=field, limit=limit, programs=programs, now=now,
    )
