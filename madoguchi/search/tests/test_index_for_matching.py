"""What matching reads from TextIndex besides scores: document frequencies, term hits and the IDF."""

from __future__ import annotations

import math

import numpy as np

from madoguchi.search.index import K1, TextIndex, bm25_idf

TERMS = [["特許", "大学"], ["融資"], ["特許", "特許", "情報"], []]


def test_doc_freqs_follow_the_vocabulary_order() -> None:
    index = TextIndex.from_terms(["a", "b", "c", "d"], TERMS)
    assert dict(zip(index.vocab, index.doc_freqs().tolist(), strict=True)) == {"特許": 2, "大学": 1, "融資": 1, "情報": 1}


def test_term_hits_counts_the_terms_a_document_contains_not_their_repeats() -> None:
    index = TextIndex.from_terms(["a", "b", "c", "d"], TERMS)
    assert index.term_hits(["特許", "情報", "未知"]).tolist() == [1, 0, 2, 0]
    assert index.term_hits([]).tolist() == [0, 0, 0, 0]


def test_bm25_idf_is_the_idf_of_the_index_weights() -> None:
    index = TextIndex.from_terms(["a", "b", "c", "d"], TERMS)
    idf = bm25_idf(len(index), index.doc_freqs())
    assert math.isclose(float(idf[index.vocab["融資"]]), math.log1p((4 - 1 + 0.5) / (1 + 0.5)), rel_tol=1e-6)
    # a one-term document of average length: the weight is idf · tf·(k1+1)/(tf+k1) with tf = 1
    row = index.term_scores(["融資"], np.array([1]))[0][0]
    avgdl = 6 / 4
    expected = idf[index.vocab["融資"]] * (K1 + 1) / (1 + K1 * (1 - 0.75 + 0.75 * 1 / avgdl))
    assert math.isclose(float(row), float(expected), rel_tol=1e-6)
