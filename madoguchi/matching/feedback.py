"""Feedback that acts: what 「合わない」 and accepted introductions do to a listing's candidates.

`ranker.suggest` removes a rejected candidate outright; this lowers the candidates like it and
raises the candidates like an accepted one, by content similarity (`Pool.similarity`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from madoguchi.matching.candidate_pool import Boost, Penalty, Pool

PENALTY_SIMILAR = 0.3  # times the content similarity to a rejected candidate (1 for a twin)
BOOST_SIMILAR = 0.3  # times the content similarity to an accepted one, times the boost's weight


def feedback_vector(pool: Pool, penalties: Sequence[Penalty], boosts: Sequence[Boost] = ()) -> np.ndarray:
    """What feedback adds to each candidate's score.

    A rejected candidate (合わない) is removed by `suggest`; candidates like it lose
    PENALTY_SIMILAR × their content similarity to it, and a little more when they share what the
    reason names (same field / city / stage, amount at least as high). Candidates like an accepted
    one gain BOOST_SIMILAR × similarity × the boost's weight."""
    out = np.zeros(pool.n, dtype=np.float64)
    for p in penalties:
        i = pool.index_of.get(p.candidate)
        if i is None:
            continue
        out -= PENALTY_SIMILAR * pool.similarity(i)
        rejected = pool.docs[i]
        if p.reason == "field":
            same = pool.overlap(pool.fields, pool.field_vocab, rejected.fields) > 0
            if rejected.tech_area:
                same |= pool.tech == pool.tech_codes[rejected.tech_area]
            out -= PENALTY_SIMILAR * same
        elif p.reason == "area" and rejected.city is not None:
            out -= PENALTY_SIMILAR * (pool.city == pool.place_codes[rejected.city])
        elif p.reason == "stage" and rejected.stages:
            out -= PENALTY_SIMILAR * (pool.overlap(pool.stages, pool.stage_vocab, rejected.stages) > 0)
        elif p.reason == "terms" and not math.isnan(pool.amount_min[i]):
            with np.errstate(invalid="ignore"):
                out -= PENALTY_SIMILAR * (pool.amount_min >= pool.amount_min[i])
    for b in boosts:
        i = pool.index_of.get(b.candidate)
        if i is not None:
            out += BOOST_SIMILAR * b.weight * pool.similarity(i)
    return out
