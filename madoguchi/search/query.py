"""The question: cleaned and capped, the filters chosen read as facets, and its words as weighted terms.

The terms are the analysed question (search.analysis: Sudachi, synonyms, the English glossary),
plus what only this corpus can say: its kana chunks split into readings the documents use, and
a kanji word the question likely mistyped (same sound) read as the words that sound so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from madoguchi.search.analysis import (
    READING_PREFIX,
    WEIGHT_HOMOPHONE,
    WEIGHT_READING,
    analyze_query_weighted,
    kana_chunks,
    normalize,
    segment_reading,
    unknown_kanji_readings,
)
from madoguchi.search.corpus import Corpus
from madoguchi.search.facets import FUNCTION_LABELS, KIND_LABELS, Facet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_QUERY_CHARS = 200


class SearchError(ValueError):
    """A filter the caller gave is not known; `parameter` names it, the message is Japanese."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def clean_query(query: str | None) -> tuple[str, str | None]:
    """Return the question normalised and capped at MAX_QUERY_CHARS, and a notice if it was cut."""
    q = normalize(query or "")
    if len(q) > MAX_QUERY_CHARS:
        return q[:MAX_QUERY_CHARS].strip(), _("質問が長すぎるため、先頭%(n)d文字で検索しました。") % {"n": MAX_QUERY_CHARS}
    return q, None


def explicit_facets(corpus: Corpus, filters: dict[str, str | None]) -> list[Facet]:
    """Return the filters chosen (function, stage, field, kind, municipality) as facets of source "filter".

    Raises SearchError naming the first value this corpus does not know.
    """
    out = []
    labels: dict[str, Mapping[str, StrOrPromise]] = {
        "function": FUNCTION_LABELS, "stage": corpus.stage_labels, "field": corpus.field_labels,
        "kind": KIND_LABELS, "municipality": corpus.gazetteer.labels,
    }
    messages = {
        "function": _("支援機能「%(v)s」は選べません。"), "stage": _("事業段階「%(v)s」は選べません。"),
        "field": _("分野「%(v)s」は選べません。"), "kind": _("種類「%(v)s」は選べません。"),
        "municipality": _("市区町村「%(v)s」は登録されていません。"),
    }
    for type_ in ("function", "stage", "field", "kind", "municipality"):
        value = (filters.get(type_) or "").strip()
        if not value:
            continue
        table = labels[type_]
        if type_ == "kind" and value not in table and value in corpus.kinds:
            table = {**table, value: value}
        if type_ == "municipality" and value not in table and value in corpus.municipality_cols:
            table = {**table, value: value}
        if value not in table:
            raise SearchError(type_, messages[type_] % {"v": value[:50]})
        out.append(Facet(type_, value, str(table[value]), "filter"))
    return out


def query_terms(corpus: Corpus, query: str) -> tuple[tuple[str, float], ...]:
    """The analysed question, plus its kana chunks split into readings this corpus knows."""
    weighted = analyze_query_weighted(query)
    chunks = kana_chunks(query)
    slips = unknown_kanji_readings(query, corpus.index.vocab)
    if not chunks and not slips:
        return weighted
    have = {t for t, _w in weighted}
    extra = []

    def add_readings(readings: Iterable[str], weight: float) -> None:
        for reading in readings:
            # The reading of a kanji word, or a katakana word itself (indexed without prefix).
            for term in (READING_PREFIX + reading, reading):
                if term not in have and term in corpus.index.vocab:
                    have.add(term)
                    extra.append((term, weight))

    for chunk in chunks:
        add_readings(segment_reading(chunk, corpus.readings), WEIGHT_READING)
    for slip in slips:
        parts = segment_reading(slip, corpus.readings)
        # Only when known readings spell the whole sound: a partial cover is a guess.
        if "".join(parts) == slip:
            add_readings(parts, WEIGHT_HOMOPHONE)
    return weighted + tuple(extra)
