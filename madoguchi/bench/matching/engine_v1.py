"""FROZEN: the matching engine as it was before issue #16 (commit 54eb43b), kept only so that
`madoguchi bench-matching quality` can report the previous version beside the current one.
Do not change or import it outside the benchmark.

The matching engine: plain functions over plain data, no database.

A `Pool` holds the listings of one group of complementary kinds (e.g. 技術シーズ and 特許, which
both answer 技術ニーズ) as a BM25 weight matrix plus numpy arrays of the structured fields, so
one suggestion is a handful of vectorised operations even at 10^6 listings:

1. hard constraints make a mask (not expired, not the same owner, amount ranges overlap, stages
   compatible for money, order deadline not passed);
2. score = BM25 of the source's most distinctive terms, normalised to the best candidate,
   + structured bonuses (field, technology area, stage, amount, place, processes, skills)
   − penalties from feedback (合わない理由);
3. the top k get reasons in Japanese.

`suggestions.py` turns database rows into `Doc`s and stores the results; the benchmarks feed
generated `Doc`s to the same functions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse

from madoguchi.matching.models import Kind

# Which kinds answer which. ニーズ is answered by シーズ and by patents open for licence.
COMPLEMENT: dict[str, tuple[str, ...]] = {
    Kind.NEED: (Kind.SEED, Kind.PATENT),
    Kind.SEED: (Kind.NEED,),
    Kind.PATENT: (Kind.NEED,),
    Kind.FUNDING: (Kind.INVESTOR,),
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
PENALTY_PAIR = 1.0  # the full text weight: a pair judged wrong drops below any plausible one
PENALTY_SIMILAR = 0.12
MIN_SHARED_TERMS = 2


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


def _binary(rows: Iterable[Iterable[int]], n_cols: int) -> sparse.csc_matrix:
    indptr: list[int] = [0]
    indices: list[int] = []
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

    def query_terms(self, terms: Sequence[str]) -> tuple[list[int], np.ndarray]:
        """The source's most distinctive known terms (by tf·idf) and their query weights."""
        counts = Counter(t for t in terms if t in self.vocab)
        ranked = sorted(counts.items(), key=lambda kv: -kv[1] * self.idf[self.vocab[kv[0]]])[:MAX_QUERY_TERMS]
        cols = [self.vocab[t] for t, _ in ranked]
        qw = np.array([1.0 + math.log(c) for _, c in ranked], dtype=np.float32)
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
        order = np.argsort(-weights, axis=1, kind="stable")
        return [[self.term(cols[j]) for j in order[r] if weights[r, j] > 0] for r in range(len(rows))]

    def bm25(self, terms: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        cols, qw = self.query_terms(terms)
        return _accumulate(self.weights, cols, qw, self.n), cols


def build_pool(docs: Sequence[Doc], labels: Labels | None = None) -> Pool:
    return Pool(docs, labels)


def _fmt_amount(lo: float, hi: float) -> str:
    if math.isnan(lo) and math.isnan(hi):
        return ""
    if math.isnan(hi) or lo == hi:
        return _("%(amount)s万円") % {"amount": f"{int(lo):,}"}
    if math.isnan(lo):
        return _("〜%(amount)s万円") % {"amount": f"{int(hi):,}"}
    return _("%(low)s〜%(high)s万円") % {"low": f"{int(lo):,}", "high": f"{int(hi):,}"}


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
    pool: Pool, src: Doc, k: int = 20, today: int = 0, penalties: Sequence[Penalty] = (), reasons: bool = True
) -> list[Suggestion]:
    """The top `k` candidates of `pool` for `src`, best first, each with reasons in Japanese."""
    if pool.n == 0:
        return []
    mask = hard_mask(pool, src, today)
    if not mask.any():
        return []
    text, cols = pool.bm25(src.terms)
    best = float(text[mask].max())
    score = text / np.float32(best) if best > 0 else text.copy()  # W_TEXT = 1: the best text match scores 1
    # something in common: text, field, technology, process or skill. A text-only tie must be
    # more than one shared word: 「技術」 alone is not a reason to introduce anyone.
    relevant = _accumulate(pool.weights, cols, None, pool.n, count=True) >= MIN_SHARED_TERMS
    f32 = np.float32

    def bonus(weight: float, hits: np.ndarray | None, cap: int = 1) -> None:
        if hits is None:
            return
        score[:] += f32(weight) * (np.minimum(hits, cap) if cap > 1 else (hits > 0))

    field_hits = pool._overlap(pool.fields, pool.field_vocab, src.fields) if src.fields else None
    proc_hits = pool._overlap(pool.procs, pool.proc_vocab, src.processes) if src.processes else None
    skill_hits = pool._overlap(pool.skill_m, pool.skill_vocab, src.skills) if src.skills else None
    bonus(W_FIELD, field_hits)
    bonus(W_PROCESS, proc_hits, 2)
    bonus(W_SKILL, skill_hits, 3)
    for hits in (field_hits, proc_hits, skill_hits):
        if hits is not None:
            relevant |= hits > 0
    if src.stages:
        stage_hits = pool._overlap(pool.stages, pool.stage_vocab, src.stages)
        bonus(W_STAGE, stage_hits)
        if src.kind in STAGE_IS_HARD:  # for money, a fitting stage (amount already filtered) is common ground
            relevant |= stage_hits > 0
    if src.certifications:
        bonus(W_CERT, pool._overlap(pool.certs, pool.cert_vocab, src.certifications), 2)
    if src.areas:
        bonus(W_AREA, pool._overlap(pool.areas, pool.area_vocab, src.areas))
    if src.tech_area and src.tech_area in pool.tech_codes:
        same_tech = pool.tech == pool.tech_codes[src.tech_area]
        score += f32(W_TECH) * same_tech
        relevant |= same_tech
    if src.amount_min is not None or src.amount_max is not None:
        score += f32(W_AMOUNT) * pool.has_amount
    if src.municipality is not None and src.municipality in pool.place_codes:
        score += f32(W_PLACE) * (pool.muni == pool.place_codes[src.municipality])
    if src.city is not None and src.city in pool.place_codes:
        score += f32(W_PLACE) * (pool.city == pool.place_codes[src.city])
    if penalties:
        score -= _penalty_vector(pool, penalties).astype(np.float32)
    mask &= relevant
    n_ok = int(mask.sum())
    k = min(k, n_ok)
    if k <= 0:
        return []
    score[~mask] = -np.inf
    top = np.argpartition(-score, k - 1)[:k] if k < pool.n else np.arange(pool.n)
    top = top[np.argsort(-score[top], kind="stable")][:k]
    shared = pool.shared_terms(top.astype(np.int32), cols) if reasons and cols else [[] for _ in top]
    out = []
    for i, words in zip(top, shared, strict=True):
        d = pool.docs[int(i)]
        why = _reasons(pool, src, d, words) if reasons else []
        out.append(Suggestion(id=d.id, score=round(float(score[i]), 4), reasons=why))
    return out


def _penalty_vector(pool: Pool, penalties: Sequence[Penalty]) -> np.ndarray:
    """Feedback lowers the pair itself a lot, and candidates like it (same field / city / stage) a little."""
    out = np.zeros(pool.n, dtype=np.float64)
    for p in penalties:
        i = pool.index_of.get(p.candidate)
        if i is None:
            continue
        out[i] += PENALTY_PAIR
        rejected = pool.docs[i]
        if p.reason == "field":
            if rejected.tech_area:
                out += PENALTY_SIMILAR * (pool.tech == pool.tech_codes[rejected.tech_area])
            out += PENALTY_SIMILAR * (pool._overlap(pool.fields, pool.field_vocab, rejected.fields) > 0)
        elif p.reason == "area" and rejected.city is not None:
            out += PENALTY_SIMILAR * (pool.city == pool.place_codes[rejected.city])
        elif p.reason == "stage" and rejected.stages:
            out += PENALTY_SIMILAR * (pool._overlap(pool.stages, pool.stage_vocab, rejected.stages) > 0)
        elif p.reason == "terms" and not math.isnan(pool.amount_min[i]):
            with np.errstate(invalid="ignore"):
                out += PENALTY_SIMILAR * (pool.amount_min >= pool.amount_min[i])
    return out


def _reasons(pool: Pool, src: Doc, d: Doc, shared_terms: list[str]) -> list[str]:
    L = pool.labels
    why: list[str] = []
    shared_fields = sorted(src.fields & d.fields)
    if shared_fields:
        names = "・".join(L.fields.get(f, str(f)) for f in shared_fields)
        why.append(_("分野が一致（%(names)s）") % {"names": names})
    if src.tech_area and src.tech_area == d.tech_area:
        why.append(_("技術領域が一致（%(area)s）") % {"area": L.tech_areas.get(d.tech_area, d.tech_area)})
    shared_procs = sorted(src.processes & d.processes)
    if shared_procs:
        why.append(_("工程が合う（%(items)s）") % {"items": "・".join(shared_procs[:4])})
    shared_certs = sorted(src.certifications & d.certifications)
    if shared_certs:
        why.append(_("認証が合う（%(items)s）") % {"items": "・".join(shared_certs[:3])})
    shared_skills = sorted(src.skills & d.skills)
    if shared_skills:
        why.append(_("スキルが合う（%(items)s）") % {"items": "・".join(shared_skills[:4])})
    shared_stages = sorted(src.stages & d.stages)
    if shared_stages:
        why.append(_("段階が合う（%(items)s）") % {"items": "・".join(L.stages.get(s, str(s)) for s in shared_stages)})
    if (src.amount_min is not None or src.amount_max is not None) and (d.amount_min is not None or d.amount_max is not None):
        lo = max(x for x in (src.amount_min, d.amount_min, -1) if x is not None)
        his = [x for x in (src.amount_max, d.amount_max) if x is not None]
        hi = min(his) if his else math.nan
        why.append(_("金額の範囲が合う（%(range)s）") % {"range": _fmt_amount(float(max(lo, 0)), float(hi))})
    if src.municipality is not None and src.municipality == d.municipality:
        why.append(_("所在地が同じ（%(place)s）") % {"place": L.municipalities.get(d.municipality, d.municipality)})
    elif src.city is not None and src.city == d.city:
        why.append(_("同じ市内（%(place)s）") % {"place": L.municipalities.get(d.city, d.city)})
    elif src.areas & d.areas:
        a = sorted(src.areas & d.areas)[0]
        why.append(_("同じ地域（%(place)s）") % {"place": L.areas.get(a, "")})
    words = [t for t in shared_terms if ":" not in t and len(t) > 1][:3]  # no bigram fragments, no lone letters
    if words:
        why.append(_("「%(words)s」が共通") % {"words": "」「".join(words)})
    return why
