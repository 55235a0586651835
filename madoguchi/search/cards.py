"""Result cards a person can act on: what it is, who runs it, how to reach them, why it fits.

The engine ranks and explains in its own terms (「"資金繰り"を「融資」と読み替えて説明に一致」),
which is right for the API and for tuning but reads like debug output. A card says the same
in plain words (「資金繰りのご相談 → 融資・保証の窓口です」), from the question's recognised
facets and the document's stored codes and terms; the ranking is never touched here.

`build_cards(response)` loads, in one query per kind, the records behind the hits (through the
search registry, so every registered kind — events, listings — gets a card) and reads only
attributes every record has or may have. Program facts (status, deadline) are read by
`program_facts`, which looks for optional attributes first (`card_status`, `next_deadline`):
an app that knows more about a program's call rounds can provide them without touching this file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from madoguchi.search.analysis import GRAM_PREFIX, READING_PREFIX, analyze, matched_synonyms
from madoguchi.search.facets import KIND_LABELS, Facet
from madoguchi.search.results import Hit, SearchResponse

MAX_REASONS = 3
SUMMARY_CHARS = 90


def function_plain() -> dict[str, str]:
    """What each of 表4's functions offers, in the words a person uses (translated per request)."""
    return {
        "tech_dev": _("技術開発・試験"),
        "tech_transfer": _("技術移転・特許"),
        "startup": _("起業・創業"),
        "finance": _("融資・保証"),
        "management": _("経営改善"),
        "market": _("販路開拓"),
        "market_info": _("技術・人材の情報"),
        "talent": _("人材育成・確保"),
    }


def kind_noun(kind: str) -> str:
    """What a record of this kind is, as the end of 「…の窓口です」."""
    return {
        "organization": pgettext("result card", "窓口"),
        "program": pgettext("result card", "支援事業"),
        "facility": pgettext("result card", "施設"),
        "event": pgettext("result card", "催し"),
        "listing": pgettext("result card", "掲載"),
    }.get(kind, pgettext("result card", "支援"))


@dataclass
class Institution:
    name: str
    url: str = ""
    phone: str = ""
    website: str = ""
    japanese_name: bool = False  # shown in Japanese on an English page (no English name recorded)


@dataclass
class Card:
    key: str  # "kind:id", what 「保存」 stores
    kind: str
    kind_label: str
    name: str
    url: str
    summary: str = ""
    institution: Institution | None = None
    status: str = ""
    deadline: dt.date | None = None
    deadline_label: str = ""
    reasons: list[str] = field(default_factory=list)
    consult_url: str = ""
    saved: bool = False
    japanese_text: bool = False  # name and summary are the record's Japanese words on an English page


# --- reasons ----------------------------------------------------------------------------------


@dataclass
class _Doc:
    """The stored codes and terms of a hit's document (SearchDocument row)."""

    pk: str = ""
    functions: set[str] = field(default_factory=set)
    stages: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    municipalities: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)


@dataclass
class Question:
    """What the reasons need from the question, analysed once per page (not once per card)."""

    text: str = ""
    facets: list[Facet] = field(default_factory=list)
    synonyms: list[tuple[str, list[str]]] = field(default_factory=list)  # (phrase, its expansion's terms)
    terms: list[str] = field(default_factory=list)  # the question's own words, longest first
    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, code) → name in the page's language

    @classmethod
    def of(cls, text: str, facets: list[Facet], labels: dict[tuple[str, str], str] | None = None) -> Question:
        def useful(t: str) -> bool:
            return len(t) > 1 and not t.startswith((GRAM_PREFIX, READING_PREFIX))

        synonyms = [(p, [t for t in analyze(e) if useful(t)]) for p, e in matched_synonyms(text)] if text else []
        terms = sorted((t for t in dict.fromkeys(analyze(text)) if useful(t)), key=len, reverse=True) if text else []
        return cls(text, list(facets), synonyms, terms, labels or {})

    def label(self, f: Facet) -> str:
        return self.labels.get((f.type, f.code), f.label)


def plain_reasons(kind: str, doc: _Doc, question: Question) -> list[str]:
    """Two or three short reasons in plain words, for one result; never more than MAX_REASONS."""
    out: list[str] = []
    plain = function_plain()
    noun = kind_noun(kind)
    said: list[str] = []  # the question's words already explained: each is explained once
    for f in question.facets:
        if f.type == "function" and f.code in doc.functions:
            if f.source == "text" and f.phrase:
                # The person's own wording where the facet was read from part of it (資金 in 資金繰り).
                phrase = max((p for p, _t in question.synonyms if f.phrase in p), key=len, default=f.phrase)
                said.append(phrase)
                out.append(_("%(phrase)sのご相談 → %(what)sの%(noun)sです") % {"phrase": phrase, "what": plain[f.code], "noun": noun})
            else:
                out.append(_("%(what)sの%(noun)sです") % {"what": plain.get(f.code, f.label), "noun": noun})
    out.extend(_word_reasons(question, doc.terms, noun, said))
    for f in question.facets:
        if f.type == "stage" and f.code in doc.stages:
            out.append(_("%(label)sの事業が対象です") % {"label": question.label(f)})
        elif f.type == "field" and f.code in doc.fields:
            out.append(_("%(label)sの分野を扱います") % {"label": question.label(f)})
        elif f.type == "municipality" and f.code in doc.municipalities:
            out.append(_("%(label)sにあります") % {"label": question.label(f)})
    seen: list[str] = []
    for r in out:
        if r not in seen:
            seen.append(r)
    return seen[:MAX_REASONS] or [_("ご相談の内容に近い%(noun)sです") % {"noun": noun}]


def _overlaps(word: str, said: list[str]) -> bool:
    return any(word in s or s in word for s in said)


def _word_reasons(question: Question, terms: set[str], noun: str, said: list[str]) -> list[str]:
    """The question's own words the record uses, and words it was read as (資金繰り → 融資)."""
    out: list[str] = []
    for phrase, expansion in question.synonyms:
        words = [t for t in expansion if t in terms]
        if words and not _overlaps(phrase, said):
            said.extend([phrase, *words])
            out.append(_("%(phrase)sのご相談 → 「%(word)s」を扱う%(noun)sです") % {"phrase": phrase, "word": words[0], "noun": noun})
    shown: list[str] = []
    for word in question.terms:
        if word in terms and not _overlaps(word, shown) and not _overlaps(word, said):
            shown.append(word)
    if shown:
        quoted = ", ".join(f"“{w}”" for w in shown[:2]) if _english() else "・".join(f"「{w}」" for w in shown[:2])
        out.append(_("ご相談の%(words)sについて案内があります") % {"words": quoted})
    return out


# --- records ----------------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


def institution_of(org: Any) -> Institution | None:
    if org is None:
        return None
    name_en = getattr(org, "display_name_en", "") if _english() else ""
    return Institution(
        name=name_en or org.display_name, url=org.get_absolute_url(), phone=getattr(org, "display_phone", ""),
        website=getattr(org, "url", ""), japanese_name=_english() and not name_en,
    )


def _first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        return ""
    end = text.find("。")
    line = text[: end + 1] if 0 <= end < SUMMARY_CHARS else text
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


def program_facts(program: Any, today: dt.date | None = None) -> tuple[str, dt.date | None]:
    """(status in words, deadline) of a program; ("", None) when nothing is recorded.

    Optional attributes win: `card_status` (a label, or a callable returning one) and
    `next_deadline` (a date, or a callable), so a richer program model (call rounds) can say
    more without this function changing. Otherwise the application window is read.
    """
    status = getattr(program, "card_status", None)
    deadline = getattr(program, "next_deadline", None)
    status = status() if callable(status) else status
    deadline = deadline() if callable(deadline) else deadline
    if status or deadline:
        return str(status or ""), deadline
    catalogued = catalog_facts(program)
    if catalogued is not None:
        return catalogued
    today = today or timezone.localdate()
    opens, closes = getattr(program, "application_opens", None), getattr(program, "application_closes", None)
    if closes and closes < today:
        return _("受付終了"), closes
    if opens and opens > today:
        return _("受付前"), closes
    if opens or closes:
        return _("受付中"), closes
    return "", None


def catalog_facts(program: Any) -> tuple[str, dt.date | None] | None:
    """(status, deadline) from the program's catalog entry and call rounds (catalog app), or
    None when it has none: the plan's programs keep their application window."""
    try:
        from django.core.exceptions import ObjectDoesNotExist

        from madoguchi.catalog.presentation import program_facts as catalogue
        from madoguchi.catalog.status import Status
    except ImportError:  # the catalog app is optional to the search
        return None
    try:
        entry = program.catalog
    except (AttributeError, ObjectDoesNotExist):
        return None
    facts = catalogue(program, entry)
    deadline = timezone.localdate(facts.deadline) if facts.deadline else None
    return ("" if facts.status == Status.UNKNOWN else facts.status_label), deadline


def _facts(kind: str, obj: Any) -> dict[str, Any]:
    """Summary, institution, status and deadline of one record, by what the record has."""
    summary = ""
    if kind == "organization":
        summary = getattr(obj, "display_profile", "") or obj.description
        return {"summary": summary, "institution": institution_of(obj)}
    org = getattr(obj, "organization", None) or getattr(obj, "operator", None)
    facts: dict[str, Any] = {"summary": getattr(obj, "description", ""), "institution": institution_of(org)}
    if kind == "program":
        facts["status"], facts["deadline"] = program_facts(obj)
        facts["deadline_label"] = _("締切")
    elif kind == "event":
        starts = getattr(obj, "starts_at", None)
        facts["deadline"] = timezone.localtime(starts).date() if starts else None
        facts["deadline_label"] = _("開催日")
    elif kind == "listing":
        facts["status"] = str(obj.get_kind_display())
        if getattr(obj, "visibility", "") == "public":
            facts["institution"] = institution_of(getattr(obj, "owner_organization", None))
        else:
            facts["institution"] = None  # anonymous until an introduction: no owner on a public card
        facts["deadline"] = getattr(obj, "deadline", None)
        facts["deadline_label"] = _("締切")
    return facts


def consult_url(kind: str, obj: Any, query: str) -> str:
    """The intake form, prefilled: the institution to share with, the program, the question."""
    params: dict[str, str] = {}
    org = obj if kind == "organization" else getattr(obj, "organization", None) or getattr(obj, "operator", None)
    if kind == "listing" and getattr(obj, "visibility", "") == "public":
        org = getattr(obj, "owner_organization", None)
    if org is not None:
        params["organization"] = org.slug
    if kind == "program":
        params["program"] = obj.slug
    if query:
        params["q"] = query[:200]
    url = reverse("cases:intake")
    return f"{url}?{urlencode(params)}" if params else url


def _documents(hits: list[Hit]) -> dict[str, _Doc]:
    from madoguchi.search.models import SearchDocument

    if not hits:
        return {}
    wanted: dict[str, set[str]] = {}
    for h in hits:
        wanted.setdefault(h.kind, set()).add(h.id)
    docs: dict[str, _Doc] = {}
    for kind, ids in wanted.items():
        rows = SearchDocument.objects.filter(kind=kind, object_id__in=ids).values_list(
            "object_id", "object_pk", "functions", "stages", "fields", "municipalities", "terms")
        for object_id, pk, fn, st, fl, mu, terms in rows:
            docs[f"{kind}:{object_id}"] = _Doc(pk, set(fn.split()), set(st.split()), set(fl.split()), set(mu.split()), set(terms.split()))
    return docs


def _records(docs: dict[str, _Doc]) -> dict[str, Any]:
    from madoguchi.search.registry import REGISTRY

    by_kind: dict[str, dict[str, str]] = {}
    for key, doc in docs.items():
        kind = key.split(":", 1)[0]
        by_kind.setdefault(kind, {})[doc.pk] = key
    out: dict[str, Any] = {}
    for kind, pks in by_kind.items():
        reg = REGISTRY.get(kind)
        if reg is None:
            continue
        # One query per kind: the institution rides along (a card shows its name and phone).
        names = {f.name for f in reg.model._meta.get_fields()}
        related = [n for n in ("organization", "operator", "owner_organization") if n in names]
        records = reg.model._default_manager.filter(pk__in=list(pks)).select_related(*related)
        if "catalog" in names:  # a program's call rounds give its status and deadline
            records = records.select_related("catalog").prefetch_related("catalog__rounds")
        for obj in records:
            out[pks[str(obj.pk)]] = obj
    return out


def build_cards(
    response: SearchResponse, saved: set[str] | frozenset[str] = frozenset(), *, reasons: bool = True,
    labels: dict[tuple[str, str], str] | None = None,
) -> list[Card]:
    """Cards for a response's hits, in the engine's order (`reasons=False`: a saved list, no question).

    `labels` names facets in the page's language ((type, code) → name); the corpus keeps Japanese.
    """
    docs = _documents(response.results)
    question = Question.of(response.query, response.facets, labels) if reasons else Question()
    records = _records(docs)
    english = _english()
    cards = []
    for hit in response.results:
        key = f"{hit.kind}:{hit.id}"
        obj = records.get(key)
        doc = docs.get(key, _Doc())
        name, japanese = hit.name, english
        if obj is not None and hit.kind == "organization" and english and bool(getattr(obj, "display_name_en", "")):
            name, japanese = obj.display_name_en, False
        card = Card(
            key=key, kind=hit.kind, kind_label=_(str(KIND_LABELS.get(hit.kind, hit.kind))), name=name, url=hit.url,
            reasons=plain_reasons(hit.kind, doc, question) if reasons else [], saved=key in saved,
            japanese_text=japanese,
        )
        if obj is not None:
            facts = _facts(hit.kind, obj)
            card.summary = _first_sentence(facts.get("summary", ""))
            card.institution = facts.get("institution")
            card.status = facts.get("status", "")
            card.deadline = facts.get("deadline")
            card.deadline_label = facts.get("deadline_label", "")
            card.consult_url = consult_url(hit.kind, obj, response.query)
        else:
            card.consult_url = reverse("cases:intake")
        cards.append(card)
    return cards
