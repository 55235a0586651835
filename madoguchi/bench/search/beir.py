"""Read a collection in BEIR layout and rank it with madoguchi's analysis and the baselines.

Layout: corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}) and
qrels/test.tsv (query-id, corpus-id, score; a header row is allowed). Only queries with at
least one positive judgement are evaluated, as BEIR's own evaluation does.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from madoguchi.bench.search.quality import Judged, Ranker


@dataclass(frozen=True)
class Collection:
    docs: list[tuple[str, str]]  # (doc_id, title + text)
    queries: list[Judged]


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path} の {n} 行目が JSON ではありません: {exc}") from exc
    return rows


def read_collection(root: Path, *, split: str = "test") -> Collection:
    """Return the documents and judged queries of a BEIR-layout directory.

    Raises FileNotFoundError naming the missing file (in Japanese and English).
    """
    paths = {"corpus": root / "corpus.jsonl", "queries": root / "queries.jsonl", "qrels": root / "qrels" / f"{split}.tsv"}
    for path in paths.values():
        if not path.is_file():
            raise FileNotFoundError(f"BEIR 形式のファイルがありません / missing BEIR file: {path}")
    docs = []
    for row in _read_jsonl(paths["corpus"]):
        title, text = str(row.get("title") or ""), str(row.get("text") or "")
        docs.append((str(row["_id"]), f"{title}\n{text}" if title else text))
    texts = {str(row["_id"]): str(row.get("text") or "") for row in _read_jsonl(paths["queries"])}
    qrels: dict[str, dict[str, int]] = {}
    with paths["qrels"].open(encoding="utf-8", newline="") as f:
        for line in csv.reader(f, delimiter="\t"):
            if len(line) < 3 or line[0] == "query-id":
                continue
            qrels.setdefault(line[0], {})[line[1]] = int(float(line[2]))
    queries = [
        Judged(qid, texts[qid], rel) for qid, rel in qrels.items() if qid in texts and any(g > 0 for g in rel.values())
    ]
    return Collection(docs, queries)


def madoguchi_ranker(docs: Sequence[tuple[str, str]], *, progress: TextIO | None = None) -> Ranker:
    """Return madoguchi's analysis and BM25 ranking (no support-domain boosts) over the documents."""
    from madoguchi.search import analysis
    from madoguchi.search.index import TextIndex

    def show(done: int, total: int) -> None:
        if progress is not None:
            progress.write(f"\rmadoguchi: 解析 {done}/{total} 文書")
            progress.flush()

    index = TextIndex.build(docs, analyzer=analysis.analyze, progress=show)
    if progress is not None:
        progress.write("\n")
    weighted: Callable[[str], tuple[tuple[str, float], ...]] | None = getattr(analysis, "analyze_query_weighted", None)

    def rank(question: str) -> list[str]:
        if weighted is not None:
            pairs = weighted(question)
            terms, weights = [t for t, _ in pairs], [w for _, w in pairs]
            return [d for d, _ in index.query(terms, 10, weights=weights)]
        return [d for d, _ in index.query(analysis.analyze_query(question), 10)]

    return rank


class Baseline(Protocol):
    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]: ...


def baseline_ranker(system: Baseline) -> Ranker:
    """Wrap a baseline (BM25Bigram or FTS5Trigram) as a ranker of document ids."""
    search = system.search

    def rank(question: str) -> list[str]:
        return [d for d, _ in search(question, 10)]

    return rank
