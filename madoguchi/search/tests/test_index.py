"""TextIndex: BM25 ranking, boosts, masks, top-k and a saved index that loads without Sudachi."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from madoguchi.search.index import TextIndex

DOCS = [
    ("a", "特許 ライセンス 大学"),
    ("b", "信用保証 融資"),
    ("c", "特許 特許 特許 情報"),
    ("d", "販路 開拓"),
]


def _split(text: str) -> list[str]:
    return text.split()


def test_documents_containing_the_term_are_ranked_and_others_left_out() -> None:
    index = TextIndex.build(DOCS, analyzer=_split)
    found = [d for d, _s in index.query(["特許"], 10)]
    assert found == ["c", "a"]


def test_rarer_term_counts_more_than_common_one() -> None:
    index = TextIndex.build(DOCS, analyzer=_split)
    assert index.query(["特許", "大学"], 1)[0][0] == "a"


def test_boosts_reorder_and_mask_removes() -> None:
    index = TextIndex.build(DOCS, analyzer=_split)
    boosts = np.array([5.0, 0, 0, 0], dtype=np.float32)
    assert index.query(["特許"], 1, boosts=boosts)[0][0] == "a"
    mask = np.array([False, True, True, True])
    assert [d for d, _s in index.query(["特許"], 10, mask=mask)] == ["c"]


def test_top_k_is_exact_on_many_documents() -> None:
    docs = [(str(i), "x " * (i % 7 + 1) + "y") for i in range(5000)]
    index = TextIndex.build(docs, analyzer=_split)
    scores = index.scores(["x"])
    best = sorted(range(5000), key=lambda r: (-scores[r], r))[:10]
    assert [d for d, _s in index.query(["x"], 10)] == [str(r) for r in best]


def test_unknown_terms_and_empty_index_give_nothing() -> None:
    assert TextIndex.build(DOCS, analyzer=_split).query(["無い"], 5) == []
    assert TextIndex.build([], analyzer=_split).query(["特許"], 5) == []


def test_saved_index_loads_and_answers_the_same(tmp_path: Path) -> None:
    index = TextIndex.build(DOCS, analyzer=_split)
    index.save(tmp_path / "idx")
    loaded = TextIndex.load(tmp_path / "idx")
    assert loaded.query(["特許", "融資"], 5) == index.query(["特許", "融資"], 5)
    assert loaded.term_score("融資", loaded.row_of["b"]) > 0
