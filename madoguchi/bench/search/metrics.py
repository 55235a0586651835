"""Ranking metrics over ranked lists of ids and graded judgements.

A judgement maps an id to a grade (3 = exactly right, 2 = good, 1 = partly useful);
an id without a grade, or with grade 0, is not relevant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(grades: Sequence[int]) -> float:
    """Return the discounted cumulative gain of grades in rank order (gain = grade, log2 discount)."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(grades))


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Return nDCG@k; the ideal ranking is built from every judged id, not only the retrieved ones.

    A query without any relevant judgement scores 0.0 (it cannot be satisfied).
    """
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judged.get(doc_id, 0) for doc_id in ranked[:k]]) / ideal


def mrr(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Return the reciprocal rank of the first relevant id within the top k, else 0.0 (MRR@k)."""
    for rank, doc_id in enumerate(ranked[:k], start=1):
        if judged.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def hit_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 3) -> float:
    """Return 1.0 when a relevant id is within the top k, else 0.0."""
    return 1.0 if mrr(ranked, judged, k) > 0 else 0.0


def recall_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Return the share of relevant ids found within the top k (0.0 when nothing is relevant)."""
    relevant = {doc_id for doc_id, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def dedupe(ids: Sequence[str]) -> list[str]:
    """Return ids in order with repeats removed: an organization counts at the rank of its first hit."""
    seen: set[str] = set()
    out = []
    for doc_id in ids:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
    return out


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
