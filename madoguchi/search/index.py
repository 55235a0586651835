"""A BM25 index over plain (doc_id, text) pairs, held as one scipy CSC matrix.

No Django here: the benchmarks build it from generated corpora, the engine from the rows of
SearchDocument. BM25 weights are computed once at build time and stored in the matrix, so a
query is only "add up the columns of its terms" — one numpy fancy-index add per term, which
stays in the low milliseconds at 10^6 documents — followed by an argpartition for the top k.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from madoguchi.search.analysis import analyze

K1 = 1.2
B = 0.75

ProgressFn = Callable[[int, int], None]


class TextIndex:
    """Documents × terms, BM25-weighted. Rows are documents in build order."""

    def __init__(self, matrix: sp.csc_matrix, vocab: dict[str, int], doc_ids: list[str]) -> None:
        self.matrix = matrix
        self.vocab = vocab
        self.doc_ids = doc_ids
        self._row_of: dict[str, int] | None = None
        # Local references: attribute look-ups on scipy objects cost more than the adds.
        self._data = matrix.data
        self._indices = matrix.indices
        self._indptr = matrix.indptr

    def __len__(self) -> int:
        return len(self.doc_ids)

    @property
    def row_of(self) -> dict[str, int]:
        """{doc_id: row}, built on first use (≈100 MB at 10^6 documents; queries never need it)."""
        if self._row_of is None:
            self._row_of = {d: i for i, d in enumerate(self.doc_ids)}
        return self._row_of

    # --- building ----------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        docs: Sequence[tuple[str, str]],
        *,
        analyzer: Callable[[str], list[str]] = analyze,
        progress: ProgressFn | None = None,
    ) -> TextIndex:
        """Analyse each (doc_id, text) and return the index. `progress(done, total)` is optional."""
        total = len(docs)

        def terms() -> Iterable[list[str]]:
            for i, (_doc_id, text) in enumerate(docs):
                if progress is not None and i % 1000 == 0:
                    progress(i, total)
                yield analyzer(text)
            if progress is not None:
                progress(total, total)

        return cls.from_terms([d for d, _t in docs], terms())

    @classmethod
    def from_terms(cls, doc_ids: list[str], term_lists: Iterable[Sequence[str]]) -> TextIndex:
        """Return the index of already-analysed documents (the database keeps terms, not text)."""
        vocab: dict[str, int] = {}
        indptr = array("q", [0])
        cols = array("i")
        tfs = array("f")
        doc_len = array("f")
        for terms in term_lists:
            counts = Counter(terms)
            for term, tf in counts.items():
                col = vocab.get(term)
                if col is None:
                    col = vocab[term] = len(vocab)
                cols.append(col)
                tfs.append(tf)
            indptr.append(len(cols))
            doc_len.append(len(terms))
        n_docs = len(indptr) - 1
        if n_docs != len(doc_ids):
            raise ValueError(f"{len(doc_ids)} doc ids but {n_docs} term lists")
        # Copies out of the array buffers, which are then freed: at 10^6 documents each of
        # these arrays is ~0.5 GB, so the weights are computed in place, one temporary at most.
        cols_np = np.array(cols, dtype=np.int32) if cols else np.zeros(0, np.int32)
        del cols
        weights = np.array(tfs, dtype=np.float32) if tfs else np.zeros(0, np.float32)
        del tfs
        indptr_np = np.array(indptr, dtype=np.int64)
        lengths = np.array(doc_len, dtype=np.float32) if doc_len else np.zeros(0, np.float32)

        avgdl = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
        df = np.bincount(cols_np, minlength=len(vocab)).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        # BM25: idf · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)), the length part per document.
        per_doc = (K1 * (1 - B + B * lengths / avgdl)).astype(np.float32)
        temp = np.repeat(per_doc, np.diff(indptr_np))
        temp += weights
        weights *= np.float32(K1 + 1)
        weights /= temp
        np.take(idf, cols_np, out=temp)
        weights *= temp
        del temp
        csr = sp.csr_matrix((weights, cols_np, indptr_np), shape=(n_docs, len(vocab)), copy=False)
        del weights, cols_np
        csc = csr.tocsc()
        del csr
        csc.sort_indices()
        return cls(csc, vocab, list(doc_ids))

    # --- querying ------------------------------------------------------------------------

    def scores(self, terms: Sequence[str], weights: Sequence[float] | None = None) -> np.ndarray:
        """Return the BM25 score of every document (float32, one per row)."""
        out = np.zeros(len(self.doc_ids), dtype=np.float32)
        for i, term in enumerate(terms):
            col = self.vocab.get(term)
            if col is None:
                continue
            s, e = self._indptr[col], self._indptr[col + 1]
            w = 1.0 if weights is None else weights[i]
            out[self._indices[s:e]] += self._data[s:e] * np.float32(w)
        return out

    def query(
        self,
        terms: list[str],
        k: int,
        *,
        boosts: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        weights: Sequence[float] | None = None,
    ) -> list[tuple[str, float]]:
        """Return the top k (doc_id, score), best first; only documents scoring above zero.

        `boosts` (one float per row) is added to the text score; `mask` (one bool per row)
        keeps only the rows that are True.
        """
        scores = self.scores(terms, weights)
        if boosts is not None:
            scores += boosts.astype(np.float32, copy=False)
        return [(self.doc_ids[r], float(s)) for r, s in self.top_rows(scores, k, mask=mask)]

    @staticmethod
    def top_rows(scores: np.ndarray, k: int, *, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Return the best k (row, score) with score > 0, best first; ties keep row order."""
        candidates = np.flatnonzero(scores > 0)
        if mask is not None:
            candidates = candidates[mask[candidates]]
        if k <= 0 or candidates.size == 0:
            return []
        cand_scores = scores[candidates]
        if candidates.size > k:
            # The k-th best score; ties at that score are broken by row so results are stable.
            kth = -np.partition(-cand_scores, k - 1)[k - 1]
            above = cand_scores > kth
            tied = np.flatnonzero(cand_scores == kth)[: k - int(above.sum())]
            keep = np.concatenate([np.flatnonzero(above), tied])
            candidates, cand_scores = candidates[keep], cand_scores[keep]
        order = np.lexsort((candidates, -cand_scores))
        return [(int(candidates[i]), float(cand_scores[i])) for i in order]

    def term_score(self, term: str, row: int) -> float:
        """Return the BM25 contribution of one term to one document (0 when absent)."""
        col = self.vocab.get(term)
        if col is None:
            return 0.0
        s, e = self._indptr[col], self._indptr[col + 1]
        idx = self._indices[s:e]
        pos = int(np.searchsorted(idx, row))
        if pos < idx.size and idx[pos] == row:
            return float(self._data[s + pos])
        return 0.0

    def term_scores(self, terms: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """Return the BM25 contribution of each term (rows of the result) to each given row."""
        out = np.zeros((len(terms), len(rows)), dtype=np.float32)
        for i, term in enumerate(terms):
            col = self.vocab.get(term)
            if col is None:
                continue
            s, e = int(self._indptr[col]), int(self._indptr[col + 1])
            idx = self._indices[s:e]
            pos = np.searchsorted(idx, rows)
            found = pos < idx.size
            pos = np.where(found, pos, 0)
            found &= idx[pos] == rows if idx.size else np.zeros(len(rows), bool)
            out[i] = np.where(found, self._data[s:e][pos] if idx.size else 0, 0)
        return out

    def doc_freq(self, term: str) -> int:
        col = self.vocab.get(term)
        return 0 if col is None else int(self._indptr[col + 1] - self._indptr[col])

    # --- persistence ---------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to the directory `path` (.npy arrays, memory-mappable, plus JSON)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "data.npy", self.matrix.data)
        np.save(path / "indices.npy", self.matrix.indices)
        np.save(path / "indptr.npy", self.matrix.indptr)
        meta = {"shape": list(self.matrix.shape), "doc_ids": self.doc_ids, "vocab": list(self.vocab)}
        (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, *, mmap: bool = True) -> TextIndex:
        """Return the index saved at `path`; arrays are memory-mapped unless mmap=False."""
        path = Path(path)
        mode = "r" if mmap else None
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        data = np.load(path / "data.npy", mmap_mode=mode)
        indices = np.load(path / "indices.npy", mmap_mode=mode)
        indptr = np.load(path / "indptr.npy", mmap_mode=mode)
        matrix = sp.csc_matrix((0, 0), dtype=np.float32)
        # Assign the arrays directly: the constructor would copy and re-check a memory map.
        matrix.data, matrix.indices, matrix.indptr = data, indices, indptr
        matrix._shape = tuple(meta["shape"])
        vocab = {t: i for i, t in enumerate(meta["vocab"])}
        return cls(matrix, vocab, meta["doc_ids"])


