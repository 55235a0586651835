"""The ranking metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from madoguchi.bench.search.metrics import dedupe, hit_at_k, mrr, ndcg_at_k, recall_at_k
from madoguchi.bench.search.speed import percentile


def test_ndcg_of_the_ideal_ranking_is_one() -> None:
    assert ndcg_at_k(["a", "b", "c"], {"a": 3, "b": 2, "c": 1}) == pytest.approx(1.0)


def test_ndcg_with_grades_swapped_matches_hand_computation() -> None:
    # DCG = 2/log2(2) + 3/log2(3) = 2 + 1.8928; IDCG = 3 + 2/log2(3) = 4.2619
    got = ndcg_at_k(["b", "a"], {"a": 3, "b": 2})
    assert got == pytest.approx((2 + 3 / math.log2(3)) / (3 + 2 / math.log2(3)))


def test_ndcg_ideal_counts_relevant_documents_that_were_not_retrieved() -> None:
    # Only "a" (grade 3) retrieved at rank 1; "b" (grade 3) missed: 3 / (3 + 3/log2(3))
    assert ndcg_at_k(["a", "x"], {"a": 3, "b": 3}) == pytest.approx(3 / (3 + 3 / math.log2(3)))


def test_ndcg_ignores_ranks_beyond_k() -> None:
    assert ndcg_at_k(["x", "a"], {"a": 1}, k=1) == 0.0


def test_ndcg_without_relevant_judgements_is_zero() -> None:
    assert ndcg_at_k(["a"], {"a": 0}) == 0.0


def test_mrr_is_reciprocal_rank_of_first_relevant() -> None:
    assert mrr(["x", "y", "a", "b"], {"a": 1, "b": 3}) == pytest.approx(1 / 3)
    assert mrr(["x"] * 10 + ["a"], {"a": 2}) == 0.0  # rank 11 is outside MRR@10


def test_hit_at_3() -> None:
    assert hit_at_k(["x", "y", "a"], {"a": 1}, 3) == 1.0
    assert hit_at_k(["x", "y", "z", "a"], {"a": 1}, 3) == 0.0


def test_recall_at_k_counts_distinct_relevant_found() -> None:
    assert recall_at_k(["a", "x", "c"], {"a": 3, "b": 2, "c": 1, "d": 0}) == pytest.approx(2 / 3)


def test_dedupe_keeps_the_rank_of_the_first_hit() -> None:
    assert dedupe(["org-a", "org-b", "org-a", "org-c"]) == ["org-a", "org-b", "org-c"]


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([], 95) == 0.0
