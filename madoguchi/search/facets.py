"""What a question says about the need: support function, business stage, field and place.

Phrases come from data/facets.tsv; places from a Gazetteer built from directory.Municipality
and Area (or given directly by the benchmarks). Matching is by substring of the normalised
question, longest phrase first, so 「仙台北部」 is the area and not 仙台市.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext_lazy as _

from madoguchi.search.analysis import heard_phrases, kana_runs, normalize, read_tsv, sound_index

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The eight functions of 表4, in its column order; kept equal to SupportFunction.Code by a test
# so the engine can run on generated corpora without the database.
FUNCTION_LABELS: dict[str, str] = {
    "tech_dev": "技術開発支援",
    "tech_transfer": "技術移転支援",
    "startup": "起業化支援",
    "finance": "資金・設備支援",
    "management": "経営改善支援",
    "market": "販路開拓支援",
    "market_info": "技術・人材市場情報支援",
    "talent": "人材発掘・育成支援",
}
FUNCTION_CODES = list(FUNCTION_LABELS)

# Used when the database has no BusinessStage/Field rows (benchmarks, early start-up).
DEFAULT_STAGE_LABELS: dict[str, str] = {
    "pre_startup": "創業準備",
    "startup": "創業期",
    "growth": "成長期",
    "mature": "成熟期・第二創業",
    "new_field": "新分野進出",
}


def _stage_code() -> Any:
    return Literal[tuple(DEFAULT_STAGE_LABELS)]


# The stage filter's type in the APIs (search, matching): the plan's five stages, fixed.
StageCode = _stage_code()

DEFAULT_FIELD_LABELS: dict[str, str] = {
    "food": "食",
    "barrier_free": "バリアフリー",
    "environment": "環境",
    "it": "IT",
    "monozukuri": "ものづくり",
    "medical_welfare": "医療・福祉",
    "nanotech_materials": "ナノテク・材料",
    "semiconductor": "半導体・電子デバイス",
    "automotive": "自動車",
    "photonics": "光",
}

FACET_TYPES = ("function", "stage", "field", "municipality", "area", "kind")

# Kinds other apps register bring lazy labels (search.registry.register), translated when shown.
KIND_LABELS: dict[str, StrOrPromise] = {
    "organization": str(_("支援機関")),
    "program": str(_("支援事業・制度")),
    "facility": str(_("施設")),
}


@dataclass(frozen=True)
class Facet:
    """One recognised or chosen facet. `source` is "text" (read from the question) or "filter"."""

    type: str
    code: str
    label: str
    source: str = "text"
    phrase: str = ""


@dataclass
class Gazetteer:
    """Place names → municipality codes, and areas (仙台北部地域) → their municipalities."""

    names: dict[str, str] = field(default_factory=dict)  # normalised name → municipality code
    labels: dict[str, str] = field(default_factory=dict)  # code → today's name
    children: dict[str, list[str]] = field(default_factory=dict)  # city code → ward codes
    areas: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # slug → (name, codes)
    area_names: dict[str, str] = field(default_factory=dict)  # normalised phrase → area slug

    def add_municipality(self, code: str, name: str, *, current_code: str | None = None) -> None:
        """Register a name (and its stem without 市/町/村/区) for the municipality `current_code`."""
        target = current_code or code
        for key in {normalize(name), _stem(normalize(name))}:
            if len(key) >= 2:
                self.names.setdefault(key, target)

    def expand(self, code: str) -> list[str]:
        return [code, *self.children.get(code, [])]


def _stem(name: str) -> str:
    return name[:-1] if name[-1:] in ("市", "町", "村", "区") and len(name) > 2 else name


@functools.lru_cache(maxsize=1)
def phrase_table() -> list[tuple[str, str, str]]:
    """Return (normalised phrase, facet type, code) rows, longest phrase first."""
    rows = [(normalize(r[0]), r[1], r[2]) for r in read_tsv("facets.tsv")]
    return sorted(rows, key=lambda r: -len(r[0]))


@functools.lru_cache(maxsize=1)
def _phrase_sounds() -> tuple[dict[str, tuple[str, ...]], int]:
    return sound_index(r[0] for r in phrase_table())


def recognise(
    query: str,
    gazetteer: Gazetteer | None = None,
    *,
    stage_labels: dict[str, str] | None = None,
    field_labels: dict[str, str] | None = None,
) -> list[Facet]:
    """Return the facets a question states, in order of type, without duplicates."""
    q = normalize(query)
    stage_labels = stage_labels or DEFAULT_STAGE_LABELS
    field_labels = field_labels or DEFAULT_FIELD_LABELS
    found: dict[tuple[str, str], Facet] = {}
    runs = kana_runs(q)
    heard = heard_phrases(runs, _phrase_sounds()) if runs else set()
    for phrase, kind, code in phrase_table():
        if phrase and (phrase in q or phrase in heard) and (kind, code) not in found:
            label = {"function": FUNCTION_LABELS, "stage": stage_labels, "field": field_labels}[kind].get(code)
            if label is not None:
                found[(kind, code)] = Facet(kind, code, label, "text", phrase)
    if gazetteer is not None:
        rest = q
        for phrase, slug in sorted(gazetteer.area_names.items(), key=lambda kv: -len(kv[0])):
            if phrase in rest:
                found.setdefault(("area", slug), Facet("area", slug, gazetteer.areas[slug][0], "text", phrase))
                rest = rest.replace(phrase, " ")
        for phrase, code in sorted(gazetteer.names.items(), key=lambda kv: -len(kv[0])):
            if phrase in rest:
                found.setdefault(("municipality", code), Facet("municipality", code, gazetteer.labels.get(code, phrase), "text", phrase))
                rest = rest.replace(phrase, " ")
    order = {t: i for i, t in enumerate(FACET_TYPES)}
    return sorted(found.values(), key=lambda f: order[f.type])
