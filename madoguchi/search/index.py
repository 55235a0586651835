"""A BM25 index over plain (doc_id, text) pairs, held as one scipy CSC matrix.

No Django here: the benchmarks build it from generated corpora, the engine from the rows of
SearchDocument. BM25 weights are computed once at build time and stored in the matrix, so a
query is only "add up the columns of its terms" — one numpy fancy-index add per term, which
stays in the low milliseconds at 10^6 documents — followed by an argpartition for the top k.

Matching builds its candidate pools on the same class (`matching/candidate_pool.py`), so
search and matching share one BM25: the same k1, b and IDF (`bm25_idf`).
"""

from __future__ import annotations

import json
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, cast

import numpy as np
import scipy.sparse as sp

from madoguchi.search.analysis import analyze

K1 = 1.2
B = 0.75

ProgressFn = Callable[[int, int], None]


def bm25_idf(n_docs: int, doc_freqs: np.ndarray) -> np.ndarray:
    """Return the BM25 IDF, log(1 + (N − df + 0.5) / (df + 0.5)), of each document frequency (float32).

    The one formula of the index's weights; matching also ranks the terms of a question with it.
    """
    df = np.asarray(doc_freqs).astype(np.float32)
    return np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
# Postings collected before a chunk is spilled to the temporary file (8 bytes each).
_CHUNK_POSTINGS = 1_000_000


try:
    # scipy's compiled y += A·x for a CSC matrix; private, so the numpy line stays as a fallback.
    from scipy.sparse._sparsetools import csc_matvec as _csc_matvec
except ImportError:  # pragma: no cover - another scipy layout
    _csc_matvec = None

# Below this many documents the plain scan is as fast as sampling.
_SAMPLE_FROM = 50_000
_SAMPLE_STEP = 32


def _above_sample_threshold(scores: np.ndarray, k: int, mask: np.ndarray | None) -> np.ndarray | None:
    """Return the rows (kept by mask) scoring at least a threshold that k of them reach, or None.

    The threshold is the k-th best score of every 32nd row: when at least k rows reach it,
    they include every row of the true top k and all its ties, so the result is exact while
    the candidates shrink from ~10^6 to a few hundred. None: use the plain scan.
    """
    if scores.size < _SAMPLE_FROM:
        return None
    sample = scores[::_SAMPLE_STEP]
    if mask is not None:
        sample = sample[mask[::_SAMPLE_STEP]]
    if sample.size <= k:
        return None
    threshold = np.partition(sample, sample.size - k)[sample.size - k]
    if not threshold > 0:
        return None
    keep = scores >= threshold
    if mask is not None:
        keep &= mask
    rows = np.flatnonzero(keep)
    return rows if rows.size >= k else None


class TextIndex:
    """Documents × terms, BM25-weighted. Rows are documents in build order."""

    def __init__(self, matrix: sp.csc_matrix, vocab: Mapping[str, int], doc_ids: Sequence[str], avgdl: float | None = None) -> None:
        self.matrix = matrix
        # The mean document length the weights were computed with: a delta of changed documents
        # is weighted with the same one (see from_terms' `reference`).
        self.avgdl = avgdl
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
    def from_terms(
        cls, doc_ids: Sequence[str], term_lists: Iterable[Sequence[str]], *, reference: TextIndex | None = None,
    ) -> TextIndex:
        """Return the index of already-analysed documents (the database keeps terms, not text).

        With `reference` (the main index), the BM25 weights use its document count, document
        frequencies and mean length instead of these documents' own, so a few changed documents
        indexed beside it score as they would inside it (a term it lacks counts its df here).

        `doc_ids` is kept as given (not copied) and read only after `term_lists` is exhausted,
        so a caller streaming its documents may fill it while the term lists are produced.

        Memory, not time, limits this at 10^6 documents (~10^8 postings): the postings are
        collected in chunks of compact arrays, spilled to a temporary file, and then written
        once, already BM25-weighted, into the final CSC arrays. Peak memory is about the
        finished index (8 bytes a posting) rather than the 16 a CSR→CSC conversion needs.
        """
        vocab: dict[str, int] = {}
        add_term, known = vocab.setdefault, vocab.get
        doc_nnz = array("i")  # postings per document
        doc_len = array("f")
        cols = array("i")
        tfs = array("I")
        df = np.zeros(0, dtype=np.int64)
        chunks: list[tuple[int, int, int]] = []  # (first doc, docs, postings) per spilled chunk
        first_doc = 0
        with tempfile.TemporaryFile(prefix="madoguchi-index-") as spill:

            def flush(end_doc: int) -> None:
                nonlocal cols, tfs, df, first_doc
                c = np.frombuffer(cols, dtype=np.int32) if cols else np.zeros(0, np.int32)
                counts = np.bincount(c, minlength=len(vocab))
                if counts.size > df.size:
                    df = np.concatenate([df, np.zeros(counts.size - df.size, np.int64)])
                df[: counts.size] += counts
                spill.write(cols.tobytes())
                spill.write(tfs.tobytes())
                chunks.append((first_doc, end_doc - first_doc, len(cols)))
                del c
                cols, tfs = array("i"), array("I")
                first_doc = end_doc

            n_docs = 0
            for terms in term_lists:
                counts = Counter(terms)
                ids = list(map(known, counts))
                if None in ids:  # new terms, numbered in order of first use as before
                    ids = [add_term(t, len(vocab)) for t in counts]
                cols.extend(cast("list[int]", ids))  # no None left: unknown terms were numbered above
                tfs.extend(counts.values())
                doc_nnz.append(len(counts))
                doc_len.append(len(terms))
                n_docs += 1
                if len(cols) >= _CHUNK_POSTINGS:
                    flush(n_docs)
            flush(n_docs)
            if n_docs != len(doc_ids):
                raise ValueError(f"{len(doc_ids)} doc ids but {n_docs} term lists")
            n_terms = len(vocab)
            df = np.concatenate([df, np.zeros(max(n_terms - df.size, 0), np.int64)])[:n_terms]
            lengths = np.frombuffer(doc_len, dtype=np.float32) if doc_len else np.zeros(0, np.float32)
            nnz_per_doc = np.frombuffer(doc_nnz, dtype=np.int32) if doc_nnz else np.zeros(0, np.int32)

            avgdl = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
            n_stat, df_stat = n_docs, df
            if reference is not None:
                avgdl = reference.avgdl or avgdl
                df_stat = df.copy()
                for term, col in vocab.items():
                    df_stat[col] = max(reference.doc_freq(term), int(df[col]))
                n_stat = max(len(reference), n_docs)
            idf = bm25_idf(n_stat, df_stat)
            # BM25: idf · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)), the length part per document.
            per_doc = (K1 * (1 - B + B * lengths / avgdl)).astype(np.float32)
            nnz = int(df.sum())
            index_dtype = np.int32 if nnz < 2**31 else np.int64
            indptr = np.zeros(n_terms + 1, dtype=index_dtype)
            np.cumsum(df, out=indptr[1:])
            next_free = indptr[:-1].astype(np.int64)
            data = np.empty(nnz, dtype=np.float32)
            indices = np.empty(nnz, dtype=np.int32)
            spill.seek(0)
            for doc0, n_chunk_docs, n_post in chunks:
                c = np.fromfile(spill, dtype=np.int32, count=n_post)
                tf = np.fromfile(spill, dtype=np.uint32, count=n_post)
                rows = np.repeat(np.arange(doc0, doc0 + n_chunk_docs, dtype=np.int32), nnz_per_doc[doc0 : doc0 + n_chunk_docs])
                # Same float32 operations in the same order as the weights have always been
                # computed, so scores are bit-identical to the earlier CSR→CSC build.
                w = tf.astype(np.float32)
                del tf
                temp = per_doc[rows]
                temp += w
                w *= np.float32(K1 + 1)
                w /= temp
                np.take(idf, c, out=temp)
                w *= temp
                del temp
                # Stable order by column: within a column, rows stay ascending.
                order = np.argsort(c, kind="stable")
                cs = c[order]
                del c
                starts = np.flatnonzero(np.concatenate(([True], cs[1:] != cs[:-1]))) if cs.size else np.zeros(0, np.int64)
                run = np.diff(np.append(starts, cs.size))
                dest = next_free[cs] + (np.arange(cs.size) - np.repeat(starts, run))
                indices[dest] = rows[order]
                data[dest] = w[order]
                next_free[cs[starts]] += run
                del order, cs, dest, rows, w
        matrix = sp.csc_matrix((0, 0), dtype=np.float32)
        # Assign the arrays directly: the constructor would check and may copy ~1 GB.
        matrix.data, matrix.indices, matrix.indptr = data, indices, indptr
        matrix._shape = (n_docs, n_terms)
        return cls(matrix, vocab, doc_ids, avgdl)

    # --- querying ------------------------------------------------------------------------

    def scores(self, terms: Sequence[str], weights: Sequence[float] | None = None, out: np.ndarray | None = None) -> np.ndarray:
        """Return the BM25 score of every document (float32, one per row), added into `out` if given."""
        n = len(self.doc_ids)
        if out is None:
            out = np.zeros(n, dtype=np.float32)
        for i, term in enumerate(terms):
            col = self.vocab.get(term)
            if col is None:
                continue
            s, e = int(self._indptr[col]), int(self._indptr[col + 1])
            w = np.float32(1.0 if weights is None else weights[i])
            if _csc_matvec is not None:
                # One compiled pass, out[row] += data·w, the same float32 operations as the
                # numpy line below but ~9× faster on a common term's 10^6 postings.
                _csc_matvec(n, 1, np.array([0, e - s], dtype=self._indices.dtype), self._indices[s:e],
                            self._data[s:e], np.array([w], dtype=np.float32), out)
            else:
                out[self._indices[s:e]] += self._data[s:e] * w
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
        if k <= 0:
            return []
        candidates = _above_sample_threshold(scores, k, mask)
        if candidates is None:
            candidates = np.flatnonzero(scores > 0)
            if mask is not None:
                candidates = candidates[mask[candidates]]
        if candidates.size == 0:
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
            # Same dtype on both sides: otherwise numpy converts the whole column (10^6 rows).
            pos = np.searchsorted(idx, rows.astype(idx.dtype, copy=False))
            found = pos < idx.size
            pos = np.where(found, pos, 0)
            found &= idx[pos] == rows if idx.size else np.zeros(len(rows), bool)
            out[i] = np.where(found, self._data[s:e][pos] if idx.size else 0, 0)
        return out

    def doc_freq(self, term: str) -> int:
        col = self.vocab.get(term)
        return 0 if col is None else int(self._indptr[col + 1] - self._indptr[col])

    def doc_freqs(self) -> np.ndarray:
        """Return the document frequency of every term, in column (vocab) order (int64)."""
        return np.diff(np.asarray(self._indptr, dtype=np.int64))

    def term_hits(self, terms: Sequence[str]) -> np.ndarray:
        """Return, for every document, how many of `terms` it contains (float32, one per row).

        Matching asks this to tell a fit on content (one specific shared word, or two generic
        ones) from a mere score; rows are unique within a column, so the fancy-index add is exact.
        """
        out = np.zeros(len(self.doc_ids), dtype=np.float32)
        for term in terms:
            col = self.vocab.get(term)
            if col is not None:
                out[self._indices[int(self._indptr[col]) : int(self._indptr[col + 1])]] += 1
        return out

    # --- persistence ---------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to the directory `path` (.npy arrays, memory-mappable, plus JSON)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "data.npy", self.matrix.data)
        np.save(path / "indices.npy", self.matrix.indices)
        np.save(path / "indptr.npy", self.matrix.indptr)
        meta = {"shape": list(self.matrix.shape), "doc_ids": list(self.doc_ids), "vocab": list(self.vocab), "avgdl": self.avgdl}
        (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, *, mmap: bool = True) -> TextIndex:
        """Return the index saved at `path`; arrays are memory-mapped unless mmap=False."""
        path = Path(path)
        mode: Literal["r"] | None = "r" if mmap else None
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        data = np.load(path / "data.npy", mmap_mode=mode)
        indices = np.load(path / "indices.npy", mmap_mode=mode)
        indptr = np.load(path / "indptr.npy", mmap_mode=mode)
        matrix = sp.csc_matrix((0, 0), dtype=np.float32)
        # Assign the arrays directly: the constructor would copy and re-check a memory map.
        matrix.data, matrix.indices, matrix.indptr = data, indices, indptr
        matrix._shape = tuple(meta["shape"])
        vocab = {t: i for i, t in enumerate(meta["vocab"])}
        return cls(matrix, vocab, meta["doc_ids"], meta.get("avgdl"))


