"""The Corpus: every searchable record's terms in a TextIndex, and its metadata in arrays.

`build_corpus_index()` makes one from DocMeta records in one pass and needs no database:
search.live builds the per-process Corpus from SearchDocument rows, the benchmarks from
generated records, and search.engine ranks over either the same way. Set-valued attributes
(functions, stages, fields) are bit sets, one integer per document (`Bits`); municipalities are
a sparse documents × codes matrix; catalog programs' facts are search.program_columns'.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence, Sized
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from madoguchi.search import program_columns
from madoguchi.search.analysis import READING_PREFIX, analyze, name_terms
from madoguchi.search.facets import DEFAULT_FIELD_LABELS, DEFAULT_STAGE_LABELS, FUNCTION_CODES, Gazetteer
from madoguchi.search.index import TextIndex

# A katakana word of two or more characters: indexed as it is, and read as a reading too.
KATAKANA_WORD = re.compile(r"^[\u30a0-\u30ffー]{2,}$")


_SHARED_CODES: dict[frozenset[str], frozenset[str]] = {}


def _shared_codes(codes: Iterable[str]) -> frozenset[str]:
    """Return the codes as a frozenset shared by every document with the same codes.

    At 10^6 documents four small sets each cost ~0.9 GB; the combinations are few.
    """
    key = codes if isinstance(codes, frozenset) else frozenset(codes)
    if len(_SHARED_CODES) >= 100_000:  # pathological variety: stop sharing, never grow unbounded
        return _SHARED_CODES.get(key, key)
    return _SHARED_CODES.setdefault(key, key)


@dataclass(slots=True)
class DocMeta:
    """One searchable record. `terms`, when given, are used instead of analysing title + text.

    Slots and shared code sets: a benchmark holds 10^6 of these while the index is built.
    """

    id: str
    kind: str
    title: str
    text: str = ""
    organization: str | None = None
    organization_id: str | None = None
    functions: AbstractSet[str] = field(default_factory=frozenset)
    stages: AbstractSet[str] = field(default_factory=frozenset)
    fields: AbstractSet[str] = field(default_factory=frozenset)
    municipalities: AbstractSet[str] = field(default_factory=frozenset)
    url: str = ""
    terms: Sequence[str] | None = None
    program: str = ""  # a catalog program's facts as JSON (search.program_facts)

    def __post_init__(self) -> None:
        self.functions = _shared_codes(self.functions)
        self.stages = _shared_codes(self.stages)
        self.fields = _shared_codes(self.fields)
        self.municipalities = _shared_codes(self.municipalities)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def index_terms(self) -> list[str]:
        """Return the terms to index: the name twice (names matter most), then the text."""
        if self.terms is not None:
            return list(self.terms)
        title = name_terms(self.title)
        return title + title + analyze(self.text)


class Bits:
    """Codes → bit positions for a set-valued attribute stored as one integer per document."""

    def __init__(self, codes: Iterable[str] = ()) -> None:
        self.bit: dict[str, int] = {}
        for c in codes:
            self.add(c)

    def add(self, code: str) -> int:
        if code not in self.bit:
            if len(self.bit) >= 63:
                return 0  # more codes than bits: ignored for boosting, never an error
            self.bit[code] = 1 << len(self.bit)
        return self.bit[code]

    def mask(self, codes: Iterable[str]) -> int:
        m = 0
        for c in codes:
            m |= self.bit.get(c, 0)
        return m


@dataclass
class Corpus:
    """A TextIndex plus per-document metadata in arrays, ready for `search_corpus`."""

    index: TextIndex
    rows: Sequence[tuple[str, str, str, str | None, str | None, str]]  # kind, id, title, org, org_id, url
    kinds: list[str]
    kind_idx: np.ndarray
    functions: Bits
    function_bits: np.ndarray
    stages: Bits
    stage_bits: np.ndarray
    fields: Bits
    field_bits: np.ndarray
    municipality_cols: dict[str, int]
    doc_municipality: sp.csc_matrix
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    stage_labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STAGE_LABELS))
    field_labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELD_LABELS))
    version: Any = 0
    readings: set[str] = field(default_factory=set)
    live: np.ndarray | None = None  # False for rows superseded by a delta (search.delta); None: all live
    programs: Any = None  # program_columns.ProgramColumns of the catalog programs, or None

    def __post_init__(self) -> None:
        # Every reading the documents use: kana-only questions are segmented against these.
        if not self.readings:
            self.readings = readings_of(self.index.vocab)

    def __len__(self) -> int:
        return len(self.rows)


def readings_of(vocab: Iterable[str]) -> set[str]:
    """Return the readings among indexed terms: kana-only questions are segmented against them.

    A kanji word's reading (READING_PREFIX + kana) without its prefix, and katakana words as they are.
    """
    return {
        t.removeprefix(READING_PREFIX) for t in vocab
        if len(t) > 1 and (t.startswith(READING_PREFIX) or KATAKANA_WORD.match(t))
    }


def narrow(bits: np.ndarray, codes: Bits) -> np.ndarray:
    """Return the bit array in the narrowest unsigned integer type that holds all of `codes`' bits."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if len(codes.bit) <= np.iinfo(dtype).bits:
            return bits.astype(dtype)
    return bits


class _Keys(Sequence[str]):
    """The index's document ids ("kind:id"), read from the rows instead of stored twice.

    At 10^6 documents a list of key strings costs ~80 MB that the rows already hold.
    """

    __slots__ = ("rows",)

    def __init__(self, rows: list[tuple[str, str, str, str | None, str | None, str]]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [f"{r[0]}:{r[1]}" for r in self.rows[i]]
        row = self.rows[i]
        return f"{row[0]}:{row[1]}"


def build_corpus_index(
    docs: Iterable[DocMeta],
    *,
    gazetteer: Gazetteer | None = None,
    stage_labels: dict[str, str] | None = None,
    field_labels: dict[str, str] | None = None,
    progress: Any = None,
    total: int | None = None,
    version: Any = 0,
) -> Corpus:
    """Return the Corpus of `docs`: analyse (unless terms are given) and index them.

    One pass: `docs` may be a generator, and each document is dropped once its terms and
    metadata are taken, so a caller never has to hold 10^6 of them (~0.8 GB) while the index
    is built. `total` (or len(docs) when it has one) is only for `progress(done, total)`.
    """
    if total is None and isinstance(docs, Sized):
        total = len(docs)
    kinds: list[str] = []
    kind_pos: dict[str, int] = {}
    functions = Bits(FUNCTION_CODES)
    stages = Bits(stage_labels or DEFAULT_STAGE_LABELS)
    fields_ = Bits(field_labels or DEFAULT_FIELD_LABELS)
    # Compact growable arrays (8, 2 or 4 bytes an entry), not lists of Python ints.
    kind_idx, function_bits, stage_bits, field_bits = array("h"), array("Q"), array("Q"), array("Q")
    muni_cols: dict[str, int] = {}
    m_rows, m_cols = array("i"), array("i")
    rows: list[tuple[str, str, str, str | None, str | None, str]] = []
    bits_of: dict[tuple[AbstractSet[str], AbstractSet[str], AbstractSet[str]], tuple[int, int, int]] = {}
    program_facts: list[tuple[int, str]] = []

    def term_lists() -> Iterable[list[str]]:
        for i, d in enumerate(docs):
            if progress is not None and i % 1000 == 0:
                progress(i, total if total is not None else i)
            if d.kind not in kind_pos:
                kind_pos[d.kind] = len(kinds)
                kinds.append(d.kind)
            kind_idx.append(kind_pos[d.kind])
            # The code sets are shared between documents (DocMeta), so few combinations recur.
            key = (d.functions, d.stages, d.fields)
            bits = bits_of.get(key)
            if bits is None:
                bits = (
                    sum(functions.bit.get(c, 0) for c in d.functions),
                    sum(stages.add(c) for c in d.stages),
                    sum(fields_.add(c) for c in d.fields),
                )
                if len(bits_of) < 100_000:
                    bits_of[key] = bits
            function_bits.append(bits[0])
            stage_bits.append(bits[1])
            field_bits.append(bits[2])
            for code in d.municipalities:
                m_rows.append(i)
                m_cols.append(muni_cols.setdefault(code, len(muni_cols)))
            rows.append((d.kind, d.id, d.title, d.organization, d.organization_id, d.url))
            if d.program:
                program_facts.append((i, d.program))
            yield d.index_terms()
        if progress is not None:
            progress(len(rows), len(rows))

    index = TextIndex.from_terms(_Keys(rows), term_lists())
    n = len(rows)

    def as_numpy(a: array, dtype: Any) -> np.ndarray:
        return np.frombuffer(a, dtype=dtype).copy() if len(a) else np.zeros(0, dtype=dtype)

    # The narrowest integer that holds the codes: the per-question bit tests read N of them.
    function_bits_np, stage_bits_np, field_bits_np = (
        narrow(as_numpy(function_bits, np.uint64), functions), narrow(as_numpy(stage_bits, np.uint64), stages),
        narrow(as_numpy(field_bits, np.uint64), fields_),
    )
    doc_muni = sp.csc_matrix(
        (np.ones(len(m_rows), dtype=np.int8), (as_numpy(m_rows, np.int32), as_numpy(m_cols, np.int32))),
        shape=(n, max(len(muni_cols), 1)),
    )
    return Corpus(
        index=index, rows=rows, kinds=kinds, kind_idx=as_numpy(kind_idx, np.int16), functions=functions,
        function_bits=function_bits_np, stages=stages, stage_bits=stage_bits_np, fields=fields_,
        field_bits=field_bits_np, municipality_cols=muni_cols, doc_municipality=doc_muni,
        gazetteer=gazetteer or Gazetteer(),
        stage_labels=dict(stage_labels or DEFAULT_STAGE_LABELS),
        field_labels=dict(field_labels or DEFAULT_FIELD_LABELS), version=version,
        programs=program_columns.columns(n, program_facts) if program_facts else None,
    )
