"""The matching engine: plain functions over plain data, no database.

A `Pool` holds the listings of one group of complementary kinds (e.g. 技術シーズ and 特許, which
both answer 技術ニーズ) as a BM25 weight matrix plus numpy arrays of the structured fields, so
one suggestion is a handful of vectorised operations even at 10^6 listings:

1. hard constraints make a mask (not expired, not the same owner, amount ranges overlap, stages
   compatible for money, order deadline not passed);
2. content fit: a candidate shares one specific term (蝶番, パッキン), two generic ones (部品,
   装置), a listed process or skill, or (for money) a stage; its BM25 score (IDF-weighted, generic
   words weighed down, company-form words and boilerplate never counted, the shared synonym
   data's pairs such as ばね ↔ スプリング added at a lower weight) must clear a share of the best
   fitting candidate's (REL_THRESHOLD) — no fixed minimum of shared words;
3. score = that text score normalised to the best, + structured bonuses (field, technology area,
   stage, amount, place, processes, skills) for candidates that fit on content only, so bonuses
   reorder fits and never make one; feedback removes rejected candidates and lowers similar ones,
   accepted introductions raise similar ones;
4. the top k get reasons in Japanese, the specific shared words first.

Registry institutions (directory Organizations) take part as `Doc`s of the pseudo-kinds
ORG_FINANCE and ORG_TECH: a finance institution fits any funding request (`always`), so a
資金調達の希望 always meets the lenders; a technology institution fits a need on content.

`suggestions.py` turns database rows into `Doc`s and stores the results; the benchmarks feed
generated `Doc`s to the same functions. The text analysis and synonym data are search's
(`text.py`); this BM25 is still matching's own — one implementation for search and matching is
a later structure step.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from madoguchi.matching.feedback import feedback_vector
from madoguchi.matching.models import Kind
from madoguchi.matching.reasons import reasons_for
from madoguchi.matching.text import term_class

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

BM25_K1 = 1.2
BM25_B = 0.75
MAX_QUERY_TERMS = 32  # "more like this": the source's most distinctive terms bound the cost
NO_DATE = 10**7  # an ordinal later than any real date

W_TEXT = 1.0
W_FIELD = 0.15
W_TECH = 0.15
W_STAGE = 0.10
W_AMOUNT = 0.10
W_PLACE = 0.10
W_AREA = 0.05
W_PROCESS = 0.20  # per shared process, at most two
W_CERT = 0.05
W_SKILL = 0.10  # per shared skill, at most three
# A candidate is kept when its text score is at least this share of the best fitting candidate's.
# Calibrated on the team's judged set (bench/data), see README; never on the held-out set.
REL_THRESHOLD = 0.08
GENERIC_WEIGHT = 0.35  # a generic word's query weight, against 1 for a specific one
SYNONYM_WEIGHT = 0.7  # a term from the synonym data, as search weighs it (WEIGHT_SYNONYM)
ALWAYS_KEPT = 3  # registry lenders always in a funding request's list, at least this many
GENERIC_DF_SHARE = 0.08  # a term in more than this share of a pool (of 200 or more) is generic


@dataclass
class Doc:
    """One listing as the engine sees it. Ids are whatever the caller uses (pk, index)."""

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
class Suggestion:
    id: Any
    score: float
    reasons: list[str]


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
    indptr, indices = [0], []
    for row in rows:
        indices.extend(row)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    m = sparse.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
                          shape=(len(indptr) - 1, max(n_cols, 1)))
    return m.tocsc()


def _accumulate(matrix: sparse.csc_matrix, cols: Sequence[int], weights: np.ndarray | None, n: int,
                count: bool = False) -> np.ndarray:
    """Sum of the given columns (times `weights`), as a dense vector; with `count`, how many of
    the columns each row has.

    Reads the CSC arrays directly: scipy's fancy column indexing validates and copies, which
    costs more than the sums themselves at 10^5–10^6 rows. Row indices are unique within a
    column, so plain fancy-index `+=` is exact.
    """
    out = np.zeros(n, dtype=np.float32)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for j, c in enumerate(cols):
        start, end = indptr[c], indptr[c + 1]
        if count:
            out[indices[start:end]] += 1
        elif weights is None:
            out[indices[start:end]] += data[start:end]
        else:
            out[indices[start:end]] += data[start:end] * weights[j]
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


def _with_always(pool: Pool, score: np.ndarray, keep: np.ndarray, top: np.ndarray, k: int) -> np.ndarray:
    """Make room for the best ALWAYS_KEPT candidates that fit whatever asks (registry lenders),
    so a funding request meets them even when many investors' listings share its words."""
    always = np.flatnonzero(keep & pool.always)
    if len(always) == 0:
        return top
    chosen = top.tolist()
    present = set(chosen)
    best = always[np.argsort(-score[always], kind="stable")][: min(ALWAYS_KEPT, k - 1)]  # k = 1: the best alone
    missing = [int(i) for i in best if int(i) not in present]
    if not missing:
        return top
    n_drop = max(0, len(chosen) + len(missing) - k)
    others = [i for i in chosen if not pool.always[i]]  # best first: drop from the end
    drop = set(others[len(others) - n_drop:]) if n_drop else set()
    merged = [i for i in chosen if i not in drop] + missing
    return np.array(sorted(merged, key=lambda i: -score[i]), dtype=np.int64)


class Pool:
    """The candidates of one group of kinds, indexed for `suggest`."""

    def __init__(self, docs: Sequence[Doc], labels: Labels | None = None) -> None:
        self.docs = list(docs)
        self.labels = labels or Labels()
        self.index_of = {d.id: i for i, d in enumerate(self.docs)}
        n = len(self.docs)
        self.n = n
        # BM25 weights, one row per doc, built straight into CSR then flipped to CSC for column reads.
        self.vocab: dict[str, int] = {}
        indptr = np.zeros(n + 1, dtype=np.int64)
        cols: list[int] = []
        tfs: list[int] = []
        lengths = np.zeros(n, dtype=np.float32)
        for i, d in enumerate(self.docs):
            counts = Counter(d.terms)
            lengths[i] = len(d.terms)
            for term, tf in counts.items():
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                tfs.append(tf)
            indptr[i + 1] = len(cols)
        col_arr = np.asarray(cols, dtype=np.int32)
        tf_arr = np.asarray(tfs, dtype=np.float32)
        df = np.bincount(col_arr, minlength=len(self.vocab)).astype(np.float32)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        # 0 specific, 1 generic, 2 never common ground (see text.term_class)
        self.term_cls = np.array([term_class(t) for t in self.vocab], dtype=np.int8)
        if n >= 200:
            self.term_cls[(df > GENERIC_DF_SHARE * n) & (self.term_cls == 0)] = 1
        self.always = np.array([d.always for d in self.docs], dtype=bool)
        avgdl = float(lengths.mean()) if n else 1.0
        row_len = np.repeat(lengths, np.diff(indptr))
        norm = BM25_K1 * (1 - BM25_B + BM25_B * row_len / max(avgdl, 1e-9))
        weights = self.idf[col_arr] * tf_arr * (BM25_K1 + 1) / (tf_arr + norm)
        self.weights = sparse.csr_matrix(
            (weights.astype(np.float32), col_arr, indptr), shape=(n, max(len(self.vocab), 1))
        ).tocsc()
        self.weights.sort_indices()  # shared_terms() binary-searches each column
        # Structured fields as arrays.
        nan = np.nan
        self.amount_min = np.array([nan if d.amount_min is None else d.amount_min for d in self.docs], dtype=np.float64)
        self.amount_max = np.array([nan if d.amount_max is None else d.amount_max for d in self.docs], dtype=np.float64)
        self.expires = np.array([NO_DATE if d.expires is None else d.expires for d in self.docs], dtype=np.int64)
        self.deadline = np.array([NO_DATE if d.deadline is None else d.deadline for d in self.docs], dtype=np.int64)
        self.owner_codes: dict[Any, int] = {}
        self.owner = np.array([_code(d.owner, self.owner_codes) for d in self.docs], dtype=np.int64)
        self.tech_codes: dict[Any, int] = {}
        self.tech = np.array([_code(d.tech_area, self.tech_codes) for d in self.docs], dtype=np.int64)
        # places are coded like owners, so ids may be pks or names
        self.place_codes: dict[Any, int] = {}
        self.muni = np.array([_code(d.municipality, self.place_codes) for d in self.docs], dtype=np.int64)
        self.city = np.array([_code(d.city, self.place_codes) for d in self.docs], dtype=np.int64)
        self.field_vocab, rows = _vocab_ids(d.fields for d in self.docs)
        self.fields = _binary(rows, len(self.field_vocab))
        self.stage_vocab, rows = _vocab_ids(d.stages for d in self.docs)
        self.stages = _binary(rows, len(self.stage_vocab))
        self.has_stage = np.asarray(self.stages.sum(axis=1)).ravel() > 0
        self.has_amount = ~np.isnan(self.amount_min) | ~np.isnan(self.amount_max)
        self.area_vocab, rows = _vocab_ids(d.areas for d in self.docs)
        self.areas = _binary(rows, len(self.area_vocab))
        self.proc_vocab, rows = _vocab_ids(d.processes for d in self.docs)
        self.procs = _binary(rows, len(self.proc_vocab))
        self.cert_vocab, rows = _vocab_ids(d.certifications for d in self.docs)
        self.certs = _binary(rows, len(self.cert_vocab))
        self.skill_vocab, rows = _vocab_ids(d.skills for d in self.docs)
        self.skill_m = _binary(rows, len(self.skill_vocab))

    # -- helpers -----------------------------------------------------------------------------
    def _overlap(self, matrix: sparse.csc_matrix, vocab: dict[Any, int], values: Iterable[Any]) -> np.ndarray:
        """Per doc, how many of `values` it shares."""
        cols = [vocab[v] for v in values if v in vocab]
        return _accumulate(matrix, cols, None, self.n)

    def query_terms(self, terms: Sequence[str], extra: Sequence[str] = ()) -> tuple[list[int], np.ndarray]:
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
        cols = [self.vocab[t] for t, _ in ranked]
        qw = np.array([w for _, w in ranked], dtype=np.float32)
        return cols, qw

    def term(self, col: int) -> str:
        if not hasattr(self, "_inv_vocab"):
            self._inv_vocab = {v: t for t, v in self.vocab.items()}
        return self._inv_vocab[col]

    def shared_terms(self, rows: np.ndarray, cols: list[int]) -> list[list[str]]:
        """For each doc in `rows`: the query terms it contains, by their BM25 weight there, highest first.

        One binary search per query term over all rows at once: the top k only, never the pool.
        """
        w = self.weights
        weights = np.zeros((len(rows), len(cols)), dtype=np.float32)
        for j, c in enumerate(cols):
            start, end = w.indptr[c], w.indptr[c + 1]
            col_rows = w.indices[start:end]
            pos = np.searchsorted(col_rows, rows)
            pos_ok = np.minimum(pos, max(end - start - 1, 0))
            hit = (pos < end - start) & (col_rows[pos_ok] == rows) if end > start else np.zeros(len(rows), bool)
            weights[hit, j] = w.data[start + pos_ok[hit]]
        # specific words first, then by weight: the reason names what makes the fit
        cls = self.term_cls[np.asarray(cols, dtype=np.int64)].astype(np.float32) if cols else np.zeros(0, np.float32)
        order = np.lexsort((-weights, np.broadcast_to(cls, weights.shape)), axis=1)
        return [[self.term(cols[j]) for j in order[r] if weights[r, j] > 0] for r in range(len(rows))]

    def bm25(self, terms: Sequence[str], extra: Sequence[str] = ()) -> tuple[np.ndarray, list[int]]:
        cols, qw = self.query_terms(terms, extra)
        return _accumulate(self.weights, cols, qw, self.n), cols

    def content_fit(self, cols: list[int]) -> np.ndarray:
        """Per doc: shares a specific query term, or two generic ones."""
        specific = [c for c in cols if self.term_cls[c] == 0]
        generic = [c for c in cols if self.term_cls[c] == 1]
        fit = _accumulate(self.weights, specific, None, self.n, count=True) >= 1
        if len(generic) >= 2:
            fit |= _accumulate(self.weights, generic, None, self.n, count=True) >= 2
        return fit

    def similarity(self, i: int) -> np.ndarray:
        """Content similarity of every doc to doc `i`: its BM25 over i's terms, 1 for i itself."""
        d = self.docs[i]
        text, _cols = self.bm25(d.terms)
        own = float(text[i])
        return np.minimum(text / own, 1.0) if own > 0 else np.zeros(self.n, dtype=np.float32)


def build_pool(docs: Sequence[Doc], labels: Labels | None = None) -> Pool:
    return Pool(docs, labels)


def hard_mask(pool: Pool, src: Doc, today: int) -> np.ndarray:
    """Candidates that can fit at all: live, other owner, compatible amount, stage and dates."""
    mask = pool.expires >= today
    mask &= pool.deadline >= today
    if src.owner is not None and src.owner in pool.owner_codes:
        mask &= pool.owner != pool.owner_codes[src.owner]
    if src.id in pool.index_of:
        mask[pool.index_of[src.id]] = False
    if src.amount_min is not None or src.amount_max is not None:
        lo = -np.inf if src.amount_min is None else src.amount_min
        hi = np.inf if src.amount_max is None else src.amount_max
        # ranges overlap; a candidate without amounts is not excluded
        with np.errstate(invalid="ignore"):
            mask &= ~(pool.amount_min > hi) & ~(pool.amount_max < lo)
    if src.kind in STAGE_IS_HARD and src.stages:
        shared = pool._overlap(pool.stages, pool.stage_vocab, src.stages)
        mask &= (shared > 0) | ~pool.has_stage
    return mask


def suggest(
    pool: Pool, src: Doc, k: int = 20, today: int = 0, penalties: Sequence[Penalty] = (), reasons: bool = True,
    boosts: Sequence[Boost] = (),
) -> list[Suggestion]:
    """The top `k` candidates of `pool` for `src`, best first, each with reasons in Japanese.

    Empty only when no candidate fits on content (see the module docstring)."""
    if pool.n == 0:
        return []
    mask = hard_mask(pool, src, today)
    for p in penalties:  # 「合わない」: gone from this listing's list at once
        i = pool.index_of.get(p.candidate)
        if i is not None:
            mask[i] = False
    if not mask.any():
        return []
    text, cols = pool.bm25(src.terms, src.extra_terms)
    f32 = np.float32
    field_hits = pool._overlap(pool.fields, pool.field_vocab, src.fields) if src.fields else None
    proc_hits = pool._overlap(pool.procs, pool.proc_vocab, src.processes) if src.processes else None
    skill_hits = pool._overlap(pool.skill_m, pool.skill_vocab, src.skills) if src.skills else None
    stage_hits = pool._overlap(pool.stages, pool.stage_vocab, src.stages) if src.stages else None
    # Structured common ground that is content too: a listed process or skill; for money, a stage.
    listed = pool.always.copy()
    for hits in (proc_hits, skill_hits):
        if hits is not None:
            listed |= hits > 0
    if stage_hits is not None and src.kind in STAGE_IS_HARD:
        listed |= stage_hits > 0
    words = pool.content_fit(cols) & mask
    best = float(text[words].max()) if words.any() else 0.0
    if best > 0:
        words &= text >= f32(REL_THRESHOLD * best)
    keep = mask & (words | listed)
    n_ok = int(keep.sum())
    k = min(k, n_ok)
    if k <= 0:
        return []
    score = text / f32(best) if best > 0 else text.copy()  # W_TEXT = 1: the best text match scores 1

    def bonus(weight: float, hits: np.ndarray | None, cap: int = 1) -> None:
        if hits is None:
            return
        score[:] += f32(weight) * (np.minimum(hits, cap) if cap > 1 else (hits > 0))

    bonus(W_FIELD, field_hits)
    bonus(W_PROCESS, proc_hits, 2)
    bonus(W_SKILL, skill_hits, 3)
    bonus(W_STAGE, stage_hits)
    if src.certifications:
        bonus(W_CERT, pool._overlap(pool.certs, pool.cert_vocab, src.certifications), 2)
    if src.areas:
        bonus(W_AREA, pool._overlap(pool.areas, pool.area_vocab, src.areas))
    if src.tech_area and src.tech_area in pool.tech_codes:
        score += f32(W_TECH) * (pool.tech == pool.tech_codes[src.tech_area])
    if src.amount_min is not None or src.amount_max is not None:
        score += f32(W_AMOUNT) * pool.has_amount
    if src.municipality is not None and src.municipality in pool.place_codes:
        score += f32(W_PLACE) * (pool.muni == pool.place_codes[src.municipality])
    if src.city is not None and src.city in pool.place_codes:
        score += f32(W_PLACE) * (pool.city == pool.place_codes[src.city])
    if penalties or boosts:
        score += feedback_vector(pool, penalties, boosts).astype(np.float32)
    # Bonuses and feedback reorder the candidates that fit on content; they never add one.
    score[~keep] = -np.inf
    top = np.argpartition(-score, k - 1)[:k] if k < pool.n else np.arange(pool.n)
    top = top[np.argsort(-score[top], kind="stable")][:k]
    if pool.always.any():
        top = _with_always(pool, score, keep, top, k)
    shared = pool.shared_terms(top.astype(np.int32), cols) if reasons and cols else [[] for _ in top]
    out = []
    for i, words_i in zip(top, shared):
        d = pool.docs[int(i)]
        why = reasons_for(pool, src, d, words_i) if reasons else []
        out.append(Suggestion(id=d.id, score=round(float(score[i]), 4), reasons=why))
    return out
