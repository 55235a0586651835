"""Reading a collection in BEIR layout."""

from __future__ import annotations

import json
from pathlib import Path

from madoguchi.bench.search.beir import read_collection


def write_collection(root: Path, qrels: str) -> None:
    (root / "qrels").mkdir(parents=True)
    docs = [{"_id": "d1", "title": "特許", "text": "特許の出願"}, {"_id": "d2", "title": "", "text": "創業融資"}]
    (root / "corpus.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    queries = [{"_id": "q1", "text": "特許を取りたい"}, {"_id": "q2", "text": "お金"}, {"_id": "q3", "text": "未判定"}]
    (root / "queries.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries), encoding="utf-8")
    (root / "qrels" / "test.tsv").write_text(qrels, encoding="utf-8")


def test_reader_joins_title_and_text_and_keeps_only_judged_queries(tmp_path: Path) -> None:
    write_collection(tmp_path, "query-id\tcorpus-id\tscore\nq1\td1\t2\nq2\td2\t0\n")
    collection = read_collection(tmp_path)
    assert collection.docs == [("d1", "特許\n特許の出願"), ("d2", "創業融資")]
    # q2 has only a zero grade and q3 no judgement at all: neither can be evaluated.
    assert [(q.id, q.query, dict(q.relevant)) for q in collection.queries] == [("q1", "特許を取りたい", {"d1": 2})]


def test_reader_accepts_qrels_without_a_header_row(tmp_path: Path) -> None:
    write_collection(tmp_path, "q1\td1\t1\nq2\td2\t1\n")
    assert [q.id for q in read_collection(tmp_path).queries] == ["q1", "q2"]
