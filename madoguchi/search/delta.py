"""The main index plus a small delta: documents changed since it was built, searched together.

No Django here (search.live feeds it from the database). `overlay(main, docs, gone)` returns a
Corpus whose rows are the main index's followed by the changed documents; the main rows those
documents supersede (same key, or a key named in `gone`: the identifier a renamed or deleted
record had) are tombstoned in `Corpus.live`, and score 0 in the text index, so they never rank.

Scoring stays that of the main index: the delta's BM25 weights use the main index's document
count, document frequencies and mean length (a term the main index lacks counts its delta df),
and the main rows keep their weights. A changed document therefore scores as it would after a
rebuild, up to the small drift of df and length statistics until the next merge.

Cost: building the delta's own index (its documents only, terms already analysed) plus a copy
of the per-document facet arrays, a few bytes a document (well under a millisecond at 10^5);
never the text index of the corpus.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from madoguchi.search import program_columns
from madoguchi.search.corpus import Bits, Corpus, DocMeta, narrow, readings_of
from madoguchi.search.index import TextIndex

Row = tuple[str, str, str, "str | None", "str | None", str]


class _Chain(Sequence[Any]):
    """Two sequences read as one, without copying the first (the main index's 10^5 rows)."""

    __slots__ = ("first", "second", "n")

    def __init__(self, first: Sequence[Any], second: Sequence[Any]) -> None:
        self.first, self.second, self.n = first, second, len(first)

    def __len__(self) -> int:
        return self.n + len(self.second)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.first[i] if i < self.n else self.second[i - self.n]


class _Vocab(Mapping[str, int]):
    """Membership in either vocabulary (the engine asks `term in index.vocab`)."""

    def __init__(self, main: Mapping[str, int], extra: Mapping[str, int]) -> None:
        self.main, self.extra = main, extra

    def __contains__(self, term: object) -> bool:
        return term in self.main or term in self.extra

    def __getitem__(self, term: str) -> int:
        return self.main[term] if term in self.main else self.extra[term]

    def __iter__(self) -> Iterator[str]:
        yield from self.main
        yield from (t for t in self.extra if t not in self.main)

    def __len__(self) -> int:
        return len(self.main) + sum(1 for t in self.extra if t not in self.main)


class LayeredIndex(TextIndex):
    """The main TextIndex, then the delta's rows; `dead` main rows always score 0."""

    def __init__(self, main: TextIndex, extra: TextIndex, dead: np.ndarray) -> None:
        # Not TextIndex.__init__: there is no single matrix, each part answers for its rows.
        self.main, self.extra, self.dead = main, extra, dead
        self.n_main = len(main)
        self.vocab = _Vocab(main.vocab, extra.vocab)
        self.doc_ids = _Chain(main.doc_ids, extra.doc_ids)
        self.matrix = main.matrix
        self.avgdl = main.avgdl
        self._row_of = None

    def scores(self, terms: Sequence[str], weights: Sequence[float] | None = None, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            out = np.zeros(len(self), dtype=np.float32)
        self.main.scores(terms, weights, out=out[: self.n_main])
        self.extra.scores(terms, weights, out=out[self.n_main :])
        out[self.dead] = 0
        return out

    def term_scores(self, terms: Sequence[str], rows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(terms), len(rows)), dtype=np.float32)
        in_main = rows < self.n_main
        out[:, in_main] = self.main.term_scores(terms, rows[in_main])
        out[:, ~in_main] = self.extra.term_scores(terms, rows[~in_main] - self.n_main)
        return out

    def term_score(self, term: str, row: int) -> float:
        return self.main.term_score(term, row) if row < self.n_main else self.extra.term_score(term, row - self.n_main)

    def doc_freq(self, term: str) -> int:
        return self.main.doc_freq(term) + self.extra.doc_freq(term)


def _copy_bits(bits: Bits) -> Bits:
    out = Bits()
    out.bit = dict(bits.bit)
    return out


def _grow(main: np.ndarray, extra: list[int], codes: Bits) -> np.ndarray:
    """Return main's bit array with the delta's appended, in a dtype wide enough for both."""
    dtype = np.promote_types(main.dtype, narrow(np.zeros(0, np.uint64), codes).dtype)
    return np.concatenate([main.astype(dtype, copy=False), np.asarray(extra, dtype=dtype)])


def _with_rows(m: sp.csc_matrix, n_rows: int, n_cols: int, rows: list[int], cols: list[int]) -> sp.csc_matrix:
    """Return the documents × municipalities matrix with the delta's entries added at the end
    of their columns (their rows come after every main row, so each column stays sorted)."""
    n_cols = max(n_cols, m.shape[1])
    indptr = np.zeros(n_cols + 1, dtype=np.int64)
    indptr[: m.indptr.size] = m.indptr
    indptr[m.indptr.size :] = m.indptr[-1]
    order = np.argsort(np.asarray(cols, dtype=np.int64), kind="stable")
    c, r = np.asarray(cols, dtype=np.int64)[order], np.asarray(rows, dtype=np.int32)[order]
    indices = np.insert(m.indices.astype(np.int32, copy=False), indptr[c + 1], r)
    indptr[1:] += np.cumsum(np.bincount(c, minlength=n_cols))
    out = sp.csc_matrix((0, 0), dtype=np.int8)
    out.data, out.indices, out.indptr = np.ones(indices.size, dtype=np.int8), indices, indptr.astype(np.int32)
    out._shape = (n_rows, n_cols)
    return out


def overlay(main: Corpus, docs: Iterable[DocMeta], gone: Iterable[str] = ()) -> Corpus:
    """Return `main` searched together with `docs` (the current versions of changed documents).

    Main rows whose key ("kind:id") is a document's, or is listed in `gone`, are superseded.
    """
    docs = list(docs)
    if not docs and not gone:
        return main
    n0 = len(main)
    row_of = main.index.row_of
    dead_keys = set(gone) | {d.key for d in docs}
    dead = np.fromiter(sorted(row_of[k] for k in dead_keys if k in row_of), dtype=np.int64)
    extra = TextIndex.from_terms([d.key for d in docs], (d.index_terms() for d in docs), reference=main.index)
    kinds = list(main.kinds)
    stages, fields = _copy_bits(main.stages), _copy_bits(main.fields)
    muni_cols = dict(main.municipality_cols)
    kind_idx, f_bits, s_bits, d_bits, m_rows, m_cols = [], [], [], [], [], []
    rows: list[Row] = []
    for i, d in enumerate(docs):
        if d.kind not in kinds:
            kinds.append(d.kind)
        kind_idx.append(kinds.index(d.kind))
        f_bits.append(sum(main.functions.bit.get(c, 0) for c in d.functions))
        s_bits.append(sum(stages.add(c) for c in d.stages))
        d_bits.append(sum(fields.add(c) for c in d.fields))
        for code in d.municipalities:
            m_rows.append(n0 + i)
            m_cols.append(muni_cols.setdefault(code, len(muni_cols)))
        rows.append((d.kind, d.id, d.title, d.organization, d.organization_id, d.url))
    live = np.ones(n0 + len(docs), dtype=bool)
    live[dead] = False
    readings = readings_of(extra.vocab)
    return dataclasses.replace(
        main, index=LayeredIndex(main.index, extra, dead), rows=_Chain(main.rows, rows),
        kinds=kinds, kind_idx=np.concatenate([main.kind_idx, np.asarray(kind_idx, dtype=main.kind_idx.dtype)]),
        function_bits=_grow(main.function_bits, f_bits, main.functions),
        stages=stages, stage_bits=_grow(main.stage_bits, s_bits, stages),
        fields=fields, field_bits=_grow(main.field_bits, d_bits, fields), municipality_cols=muni_cols,
        doc_municipality=_with_rows(main.doc_municipality, n0 + len(docs), len(muni_cols), m_rows, m_cols),
        readings=main.readings | readings if readings - main.readings else main.readings, live=live,
        programs=_programs(main, n0 + len(docs), [(n0 + i, d.program) for i, d in enumerate(docs) if d.program]),
    )


def _programs(main: Corpus, n: int, pairs: list[tuple[int, str]]) -> Any:
    base = program_columns.get(main)
    return program_columns.columns(n, pairs, base=base) if base is not None or pairs else None
