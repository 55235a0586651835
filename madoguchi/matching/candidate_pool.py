"""Candidate pools: the data the ranker works on, plain data and no database.

A `Pool` holds the listings of one group of complementary kinds (e.g. 技術シーズ and 特許, which
both answer 技術ニーズ) as search's BM25 index (`search.index.TextIndex`: the same k1, b and IDF
as the one-stop search) plus numpy arrays of the structured fields, so one suggestion is a
handful of vectorised operations even at 10^6 listings. `ranker.suggest` ranks a pool for one
listing; `feedback` and `reasons` read it. This module is the bottom of the three: it imports
none of them.

Registry institutions (directory Organizations) take part as `Doc`s of the pseudo-kinds
ORG_FINANCE and ORG_TECH: a finance institution fits any funding request (`always`), so a
資金調達の希望 always meets the lenders; a technology institution fits a need on content.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from madoguchi.matching.models import Kind
from madoguchi.matching.text import term_class
from madoguchi.search.index import TextIndex, bm25_idf

# Registry institutions as supply (pseudo-kinds: they are directory Organizations, not listings).
ORG_FINANCE = "org_finance"  # 資金・設備支援: lenders, 信用保証協会, 日本政策金融公庫, VC
ORG_TECH = "org_tech"  # 技術開発・技術移転支援: 公設試, universities, TLO
ORG_KINDS = (ORG_FINANCE, ORG_TECH)

# Which kinds answer which. ニーズ is answered by シーズ, by patents open for licence and by the
# registry's technology institutions; a funding request by investors and the registry's lenders.
COMPLEMENT: dict[str, tuple[str, ...]] = {
    Kind.NEED: (Kind.SEED, Kind.PATENT, ORG_TECH),
    Kind.SEED: (Kind.NEED,),
    Kind.PATENT: (Kind.NEED,),
    Kind.FUNDING: (Kind.INVESTOR, ORG_FINANCE),
    Kind.INVESTOR: (Kind.FUNDING,),
    Kind.ORDER: (Kind.SUPPLIER,),
    Kind.SUPPLIER: (Kind.ORDER,),
    Kind.JOB_OFFER: (Kind.JOB_SEEKER,),
    Kind.JOB_SEEKER: (Kind.JOB_OFFER,),
}
# Money pairings treat stage as a hard constraint: an investor in 成長期 cannot fund 創業準備.
STAGE_IS_HARD = {Kind.FUNDING, Kind.INVESTOR}

MAX_QUERY_TERMS = 32  # "more like this": the source's most distinctive terms bound the cost
NO_DATE = 10**7  # an ordinal later than any real date
GENERIC_WEIGHT = 0.35  # a generic word's query weight, against 1 for a specific one
SYNONYM_WEIGHT = 0.7  # a term from the synonym data, as search weighs it (WEIGHT_SYNONYM)
GENERIC_DF_SHARE = 0.08  # a term in more than this share of a pool (of 200 or more) is generic


@dataclass
class Doc:
    """One listing as the ranker sees it. Ids are whatever the caller uses (pk, index)."""

    id: Any
    kind: str
    terms: Sequence[str]
    owner: Any = None
    fields: frozenset[int] = frozenset()
    stages: frozenset[int] = frozenset()
    tech_area: str = ""
    amount_min: int | None = None
    amount_max: int | None = None
    municipality: int | None = None
    city: int | None = None
    areas: frozenset[int] = frozenset()
    deadline: int | None = None  # date ordinal
    expires: int | None = None  # date ordinal
    processes: frozenset[str] = frozenset()
    certifications: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    extra_terms: Sequence[str] = ()  # from the shared synonym data, on the asking side only
    always: bool = False  # fits whatever asks (a registry lender for a funding request)


@dataclass
class Labels:
    """Names to put in reasons, by id."""

    fields: dict[int, str] = field(default_factory=dict)
    stages: dict[int, str] = field(default_factory=dict)
    municipalities: dict[int, str] = field(default_factory=dict)
    areas: dict[int, str] = field(default_factory=dict)
    tech_areas: dict[str, str] = field(default_factory=dict)


@dataclass
class Penalty:
    """Feedback on (source, candidate): `reason` is one of field / stage / area / terms."""

    candidate: Any
    reason: str


@dataclass
class Boost:
    """An accepted introduction (weight 1) or one with a good outcome (weight 2) for (source, candidate)."""

    candidate: Any
    weight: float = 1.0


def _binary(rows: Iterable[Iterable[int]], n_cols: int) -> sparse.csc_matrix:
    indptr, indices = [0], list[int]()
    for row in rows:
        indices.extend(row)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    m = sparse.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
                          shape=(len(indptr) - 1, max(n_cols, 1)))
    return m.tocsc()


def _column_sums(matrix: sparse.csc_matrix, cols: Sequence[int], n: int) -> np.ndarray:
    """Sum of the given columns of a 0/1 matrix of structured values, as a dense vector.

    Reads the CSC arrays directly: scipy's fancy column indexing validates and copies, which
    costs more than the sums themselves at 10^5–10^6 rows. Row indices are unique within a
    column, so plain fancy-index `+=` is exact.
    """
    out = np.zeros(n, dtype=np.float32)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for c in cols:
        start, end = indptr[c], indptr[c + 1]
        out[indices[start:end]] += data[start:end]
    return out


def _vocab_ids(values: Iterable[Iterable[Any]]) -> tuple[dict[Any, int], list[list[int]]]:
    vocab: dict[Any, int] = {}
    rows = []
    for vs in values:
        rows.append(sorted({vocab.setdefault(v, len(vocab)) for v in vs}))
    return vocab, rows


def _code(value: Any, table: dict[Any, int]) -> int:
    if value is None or value == "":
        return -1
    return table.setdefault(value, len(table))


class Pool:
    """The candidates of one group of kinds, indexed for `ranker.suggest`."""

    def __init__(self, docs: Sequence[Doc], labels: Labels | None = None) -> None:
        self.docs = list(docs)
        self.labels = labels or Labels()
        self.index_of = {d.id: i for i, d in enumerate(self.docs)}
        n = len(self.docs)
        self.n = n
        # One row per doc, in pool order: search's index, BM25 weights computed once at build.
        self.text = TextIndex.from_terms([d.id for d in self.docs], (d.terms for d in self.docs))
        self.vocab = self.text.vocab
        df = self.text.doc_freqs()
        self.idf = bm25_idf(n, df)
        # 0 specific, 1 generic, 2 never common ground (see text.term_class)
        self.term_cls = np.array([term_class(t) for t in self.vocab], dtype=np.int8)
        if n >= 200:
            self.term_cls[(df > GENERIC_DF_SHARE * n) & (self.term_cls == 0)] = 1
        self.always = np.array([d.always for d in self.docs], dtype=bool)
        self._structured()

    def _structured(self) -> None:
        """The structured fields as arrays: numbers and codes per doc, sets as 0/1 matrices."""
        docs, nan = self.docs, np.nan
        self.amount_min = np.array([nan if d.amount_min is None else d.amount_min for d in docs], dtype=np.float64)
        self.amount_max = np.array([nan if d.amount_max is None else d.amount_max for d in docs], dtype=np.float64)
        self.expires = np.array([NO_DATE if d.expires is None else d.expires for d in docs], dtype=np.int64)
        self.deadline = np.array([NO_DATE if d.deadline is None else d.deadline for d in docs], dtype=np.int64)
        self.owner_codes: dict[Any, int] = {}
        self.owner = np.array([_code(d.owner, self.owner_codes) for d in docs], dtype=np.int64)
        self.tech_codes: dict[Any, int] = {}
        self.tech = np.array([_code(d.tech_area, self.tech_codes) for d in docs], dtype=np.int64)
        # places are coded like owners, so ids may be pks or names
        self.place_codes: dict[Any, int] = {}
        self.muni = np.array([_code(d.municipality, self.place_codes) for d in docs], dtype=np.int64)
        self.city = np.array([_code(d.city, self.place_codes) for d in docs], dtype=np.int64)
        self.field_vocab, rows = _vocab_ids(d.fields for d in docs)
        self.fields = _binary(rows, len(self.field_vocab))
        self.stage_vocab, rows = _vocab_ids(d.stages for d in docs)
        self.stages = _binary(rows, len(self.stage_vocab))
        self.has_stage = np.asarray(self.stages.sum(axis=1)).ravel() > 0
        self.has_amount = ~np.isnan(self.amount_min) | ~np.isnan(self.amount_max)
        self.area_vocab, rows = _vocab_ids(d.areas for d in docs)
        self.areas = _binary(rows, len(self.area_vocab))
        self.proc_vocab, rows = _vocab_ids(d.processes for d in docs)
        self.procs = _binary(rows, len(self.proc_vocab))
        self.cert_vocab, rows = _vocab_ids(d.certifications for d in docs)
        self.certs = _binary(rows, len(self.cert_vocab))
        self.skill_vocab, rows = _vocab_ids(d.skills for d in docs)
        self.skill_m = _binary(rows, len(self.skill_vocab))

    @property
    def weights(self) -> sparse.csc_matrix:
        """The BM25 weights, docs × terms (search's index matrix)."""
        return self.text.matrix

    def overlap(self, matrix: sparse.csc_matrix, vocab: dict[Any, int], values: Iterable[Any]) -> np.ndarray:
        """Per doc, how many of `values` (fields, stages, processes…) it shares."""
        cols = [vocab[v] for v in values if v in vocab]
        return _column_sums(matrix, cols, self.n)

    def query_terms(self, terms: Sequence[str], extra: Sequence[str] = ()) -> tuple[list[str], np.ndarray]:
        """The source's most distinctive known terms (by tf·idf·class weight) and their query weights.

        Words that are never common ground are left out; generic words and synonym-data terms
        (`extra`) weigh less."""
        counts = Counter(t for t in terms if t in self.vocab)
        weight: dict[str, float] = {}
        for t, c in counts.items():
            cls = self.term_cls[self.vocab[t]]
            if cls < 2:
                weight[t] = (1.0 + math.log(c)) * (GENERIC_WEIGHT if cls else 1.0)
        for t in extra:
            if t in self.vocab and t not in weight and self.term_cls[self.vocab[t]] < 2:
                weight[t] = SYNONYM_WEIGHT * (GENERIC_WEIGHT if self.term_cls[self.vocab[t]] else 1.0)
        ranked = sorted(weight.items(), key=lambda kv: -kv[1] * self.idf[self.vocab[kv[0]]])[:MAX_QUERY_TERMS]
        qw = np.array([w for _, w in ranked], dtype=np.float32)
        return [t for t, _ in ranked], qw

    def term_classes(self, terms: Sequence[str]) -> np.ndarray:
        """The class (0 specific, 1 generic, 2 never common ground) of each known term."""
        return self.term_cls[np.array([self.vocab[t] for t in terms], dtype=np.int64)]

    def shared_terms(self, rows: np.ndarray, terms: list[str]) -> list[list[str]]:
        """For each doc in `rows`: the query terms it contains, by their BM25 weight there, highest first.

        One binary search per query term over all rows at once: the top k only, never the pool.
        """
        weights = self.text.term_scores(terms, rows).T
        # specific words first, then by weight: the reason names what makes the fit
        cls = self.term_classes(terms).astype(np.float32)
        order = np.lexsort((-weights, np.broadcast_to(cls, weights.shape)), axis=1)
        return [[terms[j] for j in order[r] if weights[r, j] > 0] for r in range(len(rows))]

    def bm25(self, terms: Sequence[str], extra: Sequence[str] = ()) -> tuple[np.ndarray, list[str]]:
        """Every doc's BM25 score for the source's query terms, and those terms."""
        qterms, qw = self.query_terms(terms, extra)
        return self.text.scores(qterms, qw.tolist()), qterms  # float32 values: the same weights

    def content_fit(self, terms: list[str]) -> np.ndarray:
        """Per doc: shares a specific query term, or two generic ones."""
        cls = self.term_classes(terms) if terms else np.zeros(0, np.int8)
        specific = [t for t, c in zip(terms, cls, strict=True) if c == 0]
        generic = [t for t, c in zip(terms, cls, strict=True) if c == 1]
        fit: np.ndarray = self.text.term_hits(specific) >= 1
        if len(generic) >= 2:
            fit |= self.text.term_hits(generic) >= 2
        return fit

    def similarity(self, i: int) -> np.ndarray:
        """Content similarity of every doc to doc `i`: its BM25 over i's terms, 1 for i itself."""
        d = self.docs[i]
        text, _terms = self.bm25(d.terms)
        own = float(text[i])
        return np.minimum(text / own, 1.0) if own > 0 else np.zeros(self.n, dtype=np.float32)


def build_pool(docs: Sequence[Doc], labels: Labels | None = None) -> Pool:
    return Pool(docs, labels)
