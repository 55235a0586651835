"""The ranker: the top candidates of a pool for one listing, with reasons. No database.

1. hard constraints make a mask (not expired, not the same owner, amount ranges overlap, stages
   compatible for money, order deadline not passed);
2. content fit: a candidate shares one specific term (蝶番, パッキン), two generic ones (部品,
   装置), a listed process or skill, or (for money) a stage; its BM25 score (search's BM25 over
   the pool, generic words weighed down, company-form words and boilerplate never counted, the
   shared synonym data's pairs such as ばね ↔ スプリング added at a lower weight) must clear a
   share of the best fitting candidate's (REL_THRESHOLD) — no fixed minimum of shared words;
3. score = that text score normalised to the best, + structured bonuses (field, technology area,
   stage, amount, place, processes, skills) for candidates that fit on content only, so bonuses
   reorder fits and never make one; feedback removes rejected candidates and lowers similar ones,
   accepted introductions raise similar ones (`feedback`);
4. the top k get reasons in Japanese, the specific shared words first (`reasons`).

The pools and their types are `candidate_pool.py`; `matches.py` turns database rows into `Doc`s
and stores the results; the benchmarks feed generated `Doc`s to the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from madoguchi.matching.candidate_pool import STAGE_IS_HARD, Boost, Doc, Penalty, Pool
from madoguchi.matching.feedback import feedback_vector
from madoguchi.matching.reasons import reasons_for

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
ALWAYS_KEPT = 3  # registry lenders always in a funding request's list, at least this many

_f32 = np.float32


@dataclass
class Suggestion:
    id: Any
    score: float
    reasons: list[str]


@dataclass
class _Shared:
    """Per candidate, how many of the source's fields, processes, skills and stages it shares
    (None when the source lists none)."""

    fields: np.ndarray | None
    processes: np.ndarray | None
    skills: np.ndarray | None
    stages: np.ndarray | None

    @classmethod
    def of(cls, pool: Pool, src: Doc) -> _Shared:
        return cls(
            fields=pool.overlap(pool.fields, pool.field_vocab, src.fields) if src.fields else None,
            processes=pool.overlap(pool.procs, pool.proc_vocab, src.processes) if src.processes else None,
            skills=pool.overlap(pool.skill_m, pool.skill_vocab, src.skills) if src.skills else None,
            stages=pool.overlap(pool.stages, pool.stage_vocab, src.stages) if src.stages else None,
        )


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
        shared = pool.overlap(pool.stages, pool.stage_vocab, src.stages)
        mask &= (shared > 0) | ~pool.has_stage
    return mask


def _fits(pool: Pool, src: Doc, mask: np.ndarray, text: np.ndarray, terms: list[str],
          shared: _Shared) -> tuple[np.ndarray, float]:
    """The candidates that fit on content (within `mask`), and the best fitting text score."""
    # Structured common ground that is content too: a listed process or skill; for money, a stage.
    listed = pool.always.copy()
    for hits in (shared.processes, shared.skills):
        if hits is not None:
            listed |= hits > 0
    if shared.stages is not None and src.kind in STAGE_IS_HARD:
        listed |= shared.stages > 0
    words = pool.content_fit(terms) & mask
    best = float(text[words].max()) if words.any() else 0.0
    if best > 0:
        words &= text >= _f32(REL_THRESHOLD * best)
    return mask & (words | listed), best


def _score(pool: Pool, src: Doc, text: np.ndarray, best: float, shared: _Shared) -> np.ndarray:
    """Text score normalised to the best fit, plus the structured bonuses."""
    score = text / _f32(best) if best > 0 else text.copy()  # W_TEXT = 1: the best text match scores 1

    def bonus(weight: float, hits: np.ndarray | None, cap: int = 1) -> None:
        if hits is None:
            return
        score[:] += _f32(weight) * (np.minimum(hits, cap) if cap > 1 else (hits > 0))

    bonus(W_FIELD, shared.fields)
    bonus(W_PROCESS, shared.processes, 2)
    bonus(W_SKILL, shared.skills, 3)
    bonus(W_STAGE, shared.stages)
    if src.certifications:
        bonus(W_CERT, pool.overlap(pool.certs, pool.cert_vocab, src.certifications), 2)
    if src.areas:
        bonus(W_AREA, pool.overlap(pool.areas, pool.area_vocab, src.areas))
    if src.tech_area and src.tech_area in pool.tech_codes:
        score += _f32(W_TECH) * (pool.tech == pool.tech_codes[src.tech_area])
    if src.amount_min is not None or src.amount_max is not None:
        score += _f32(W_AMOUNT) * pool.has_amount
    if src.municipality is not None and src.municipality in pool.place_codes:
        score += _f32(W_PLACE) * (pool.muni == pool.place_codes[src.municipality])
    if src.city is not None and src.city in pool.place_codes:
        score += _f32(W_PLACE) * (pool.city == pool.place_codes[src.city])
    return score


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


def _top(pool: Pool, score: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    """The rows of the best k kept candidates, best first (lenders made room for)."""
    score[~keep] = -np.inf
    top = np.argpartition(-score, k - 1)[:k] if k < pool.n else np.arange(pool.n)
    top = top[np.argsort(-score[top], kind="stable")][:k]
    if pool.always.any():
        top = _with_always(pool, score, keep, top, k)
    return top


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
    text, terms = pool.bm25(src.terms, src.extra_terms)
    shared = _Shared.of(pool, src)
    keep, best = _fits(pool, src, mask, text, terms, shared)
    k = min(k, int(keep.sum()))
    if k <= 0:
        return []
    score = _score(pool, src, text, best, shared)
    if penalties or boosts:
        score += feedback_vector(pool, penalties, boosts).astype(np.float32)
    # Bonuses and feedback reorder the candidates that fit on content; they never add one.
    top = _top(pool, score, keep, k)
    words = pool.shared_terms(top.astype(np.int32), terms) if reasons and terms else [[] for _ in top]
    out = []
    for i, words_i in zip(top, words, strict=True):
        d = pool.docs[int(i)]
        why = reasons_for(pool, src, d, words_i) if reasons else []
        out.append(Suggestion(id=d.id, score=round(float(score[i]), 4), reasons=why))
    return out
