"""The two baselines the issue names, over the same texts madoguchi indexes.

- bm25-bigram: bm25s over character bigrams of NFKC, case-folded text — what a team gets
  with no Japanese analysis at all.
- fts5: SQLite FTS5 with the trigram tokenizer, the question's trigrams OR-ed and ranked
  by bm25() — what datasette-style full-text search gives out of the box.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence

# Runs of letters/digits/kana/kanji; punctuation and spaces break a run, so no bigram
# spans "。" or a space.
_RUN_RE = re.compile(r"[\w々〆ヶー]+")


def _runs(text: str) -> list[str]:
    return _RUN_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def char_ngrams(text: str, n: int) -> list[str]:
    """Return the character n-grams of each run of word characters; a shorter run is kept whole."""
    grams: list[str] = []
    for run in _runs(text):
        if len(run) <= n:
            grams.append(run)
        else:
            grams.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return grams


def bigrams(text: str) -> list[str]:
    return char_ngrams(text, 2)


class BM25Bigram:
    """bm25s over character bigrams. `search` returns (doc_id, score) best first."""

    name = "bm25-bigram"

    def __init__(self, docs: Sequence[tuple[str, str]]) -> None:
        import bm25s

        self.ids = [doc_id for doc_id, _ in docs]
        self.retriever = bm25s.BM25()
        # Every document gets at least the empty token so bm25s never sees an empty list.
        self.retriever.index([bigrams(text) or [""] for _, text in docs], show_progress=False)

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        tokens = [t for t in bigrams(query) if t in self.retriever.vocab_dict and t]
        if not tokens:
            return []
        k = min(k, len(self.ids))
        found, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, n_threads=0)
        return [
            (self.ids[int(i)], float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0
        ]


def fts5_query(query: str) -> str | None:
    """Return an FTS5 MATCH expression OR-ing the question's trigrams, or None when it has none.

    Every trigram is a quoted string (inner quotes doubled), so AND/OR/NEAR, *, :, ( ) and
    quotes in a question are text, never query syntax.
    """
    grams = [g for g in dict.fromkeys(char_ngrams(query, 3)) if len(g) >= 3]
    if not grams:
        return None
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


class FTS5Trigram:
    """An in-memory SQLite FTS5 table (tokenize='trigram'); `search` returns (doc_id, score)."""

    name = "fts5"

    def __init__(self, docs: Sequence[tuple[str, str]]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(doc_id UNINDEXED, body, tokenize='trigram')")
        self.db.executemany(
            "INSERT INTO docs(doc_id, body) VALUES (?, ?)",
            ((doc_id, unicodedata.normalize("NFKC", text)) for doc_id, text in docs),
        )
        self.db.commit()

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        expr = fts5_query(query)
        if expr is not None:
            rows = self.db.execute(
                "SELECT doc_id, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (expr, k)
            ).fetchall()
            # bm25() is lower-is-better; negate so every system reports higher-is-better.
            return [(doc_id, -score) for doc_id, score in rows]
        # Runs of one or two characters have no trigram. FTS5's LIKE returns nothing for such
        # short patterns (SQLite 3.40), so scan with instr(): slow, but only for tiny questions.
        runs = list(dict.fromkeys(_runs(query)))[:8]
        if not runs:
            return []
        where = " OR ".join("instr(body, ?) > 0" for _ in runs)
        rows = self.db.execute(f"SELECT doc_id FROM docs WHERE {where} LIMIT ?", (*runs, k)).fetchall()
        return [(doc_id, 1.0) for (doc_id,) in rows]


def top_ids(results: Sequence[tuple[str, float]]) -> list[str]:
    return [doc_id for doc_id, _ in results]


