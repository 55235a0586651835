"""Why each hit is there, in words: the question's words it matched (and where), the words they
were read as, the facets it satisfies, and whose program or event it is.

Per question the work is done once (templates translated, synonyms and glossary traced back);
per hit it is the contributions of the question's terms to that hit's BM25 score.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from madoguchi.search.analysis import (
    GRAM_PREFIX,
    READING_PREFIX,
    analyze,
    matched_glossary,
    matched_synonyms,
    name_terms,
)
from madoguchi.search.corpus import Corpus
from madoguchi.search.facets import KIND_LABELS, Facet
from madoguchi.search.results import Hit
from madoguchi.search.scoring import areas_of


def _term_origin(query: str) -> dict[str, str]:
    """Return {term: the words of the question it came from} for synonym and glossary terms."""
    origin: dict[str, str] = {}
    for phrase, expansion in matched_synonyms(query):
        for t in analyze(expansion):
            origin.setdefault(t, phrase)
    for word, japanese in matched_glossary(query):
        for t in analyze(japanese):
            origin.setdefault(t, word)
    return origin


@functools.lru_cache(maxsize=4096)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(name_terms(title))


def _templates() -> dict[str, str]:
    """The reason sentences, translated once per question rather than once per reason."""
    return {
        "reading": _("読み「%(w)s」が%(where)sに一致"),
        "word": _("「%(w)s」が%(where)sに一致"),
        "rewritten": _("「%(src)s」を%(words)sと読み替えて%(where)sに一致"),
        "name_part": _("名称の一部が一致"),
        "near": _("%(label)sと同じ%(area)sに所在"),
        "function": _("%(label)sを行う"),
        "stage": _("%(label)sの支援"),
        "field": _("%(label)s分野に対応"),
        "municipality": _("%(label)sに所在"),
        "area": _("%(label)s内に所在"),
        "program": _("%(org)sの事業"),
        "event": _("%(org)sが主催"),
        "fallback": _("条件に合う%(kind)s"),
        "title": _("名称"),
        "text": _("説明"),
    }


def hits_with_reasons(
    corpus: Corpus,
    top: list[tuple[int, float]],
    query: str,
    weighted: Sequence[tuple[str, float]],
    facets: Sequence[Facet],
    arrays: dict[Facet, np.ndarray],
) -> list[Hit]:
    """Return Hits with reasons for the top rows (program fields and reasons: program_filters.annotate)."""
    if not top:
        return []
    rows = np.fromiter((r for r, _s in top), dtype=np.int64, count=len(top))
    terms = [t for t, _w in weighted]
    contributions = corpus.index.term_scores(terms, rows) * np.asarray([w for _t, w in weighted] or [0.0], dtype=np.float32)[: len(terms), None]
    origin = _term_origin(query) if query else {}
    direct = set(analyze(query)) if query else set()
    text = _templates()
    areas = {f.code: areas_of(corpus.gazetteer, f.code)[:1] for f in facets if f.type == "municipality"}
    hits = []
    for i, (row, score) in enumerate(top):
        kind, id_, title, org, org_id, url = corpus.rows[row]
        title_terms = _title_terms(title)
        reasons: list[Any] = []
        order = sorted((j for j, t in enumerate(terms) if not t.startswith(GRAM_PREFIX)), key=lambda j: -contributions[j, i])
        shown: set[str] = set()
        rewritten: dict[tuple[str, str], list[str]] = {}  # (question words, where) → domain words
        text_reasons = 0
        for j in order:
            term = terms[j]
            if contributions[j, i] <= 0 or text_reasons >= 4:
                continue
            word = term.removeprefix(READING_PREFIX)
            # A compound's short units (半導体 → 導体) and one-character pieces say nothing new.
            if word in shown or any(word in w for w in shown) or (len(word) == 1 and shown):
                continue
            shown.add(word)
            where = text["title"] if term in title_terms else text["text"]
            if term.startswith(READING_PREFIX):
                reasons.append(text["reading"] % {"w": word, "where": where})
            elif term in origin and term not in direct:
                key = (origin[term], where)
                if key not in rewritten:
                    rewritten[key] = []
                    reasons.append(key)
                rewritten[key].append(word)
                continue
            else:
                reasons.append(text["word"] % {"w": word, "where": where})
            text_reasons += 1
        reasons = [
            text["rewritten"] % {"src": r[0], "words": "".join(f"「{w}」" for w in rewritten[r]), "where": r[1]}
            if isinstance(r, tuple) else r
            for r in reasons
        ]
        if not shown and any(contributions[j, i] > 0 for j, t in enumerate(terms) if t.startswith(GRAM_PREFIX)):
            reasons.append(text["name_part"])
        for f in facets:
            value = float(arrays[f][i]) if f in arrays else 0.0
            if f.type == "municipality" and value == 0.5:
                for _slug, (area_name, _codes) in areas.get(f.code, []):
                    reasons.append(text["near"] % {"label": f.label, "area": area_name})
            if value >= 1.0 and f.type in ("function", "stage", "field", "municipality", "area"):
                reasons.append(text[f.type] % {"label": f.label})
        if kind in ("program", "event") and org:
            reasons.append(text[kind] % {"org": org})
        if not reasons:
            reasons.append(text["fallback"] % {"kind": KIND_LABELS.get(kind, kind)})
        hits.append(Hit(kind, id_, title, org, org_id, score, reasons, url))
    return hits
