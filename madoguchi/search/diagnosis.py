"""ワンストップ診断: stage → needs → field → place, answered by a roadmap across institutions.

The plan asks that a business get 「事業展開の各段階において適時適切な支援」 (二-1) from one
window (二-3). The roadmap shows what to use now for each need the person ticked, and what
typically comes at the next stage, all through the same search_corpus() as the search page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from madoguchi.search.corpus import Corpus
from madoguchi.search.engine import search_corpus
from madoguchi.search.facets import FUNCTION_CODES, FUNCTION_LABELS
from madoguchi.search.results import Hit

# The eight functions of 表4 in the words a person uses.
NEEDS: dict[str, str] = {
    "tech_dev": str(_("技術的な課題を解決したい")),
    "tech_transfer": str(_("大学の技術を使いたい")),
    "startup": str(_("会社を立ち上げたい")),
    "finance": str(_("資金を借りたい・設備を入れたい")),
    "management": str(_("経営を見直したい")),
    "market": str(_("売り先を広げたい")),
    "market_info": str(_("技術や人材の情報がほしい")),
    "talent": str(_("人を育てたい・採りたい")),
}

# What a business usually needs once it reaches a stage. The plan names no such table; this is
# the project's own reading of 二-1 (研究開発から販路開拓までの各事業段階) and is easy to change.
NEXT_STAGE_NEEDS: dict[str, list[str]] = {
    "pre_startup": ["startup", "finance", "management"],
    "startup": ["finance", "market", "management"],
    "growth": ["market", "talent", "tech_dev"],
    "mature": ["tech_transfer", "tech_dev", "management"],
    "new_field": ["tech_transfer", "finance", "market"],
}
PER_SECTION = 3
# The roadmap picks from a wider pool, so the chosen field and place can bring forward the
# institutions that fit them (the engine only lifts those by a small boost).
POOL = PER_SECTION * 4


@dataclass
class Section:
    function: str
    label: str
    need: str
    organizations: list[Hit] = field(default_factory=list)
    programs: list[Hit] = field(default_factory=list)

    @property
    def need_label(self) -> str:
        """The need in the page's language (`need` stays Japanese: it is the question searched)."""
        return gettext(self.need)

    @property
    def function_label(self) -> str:
        return gettext(self.label)

    @property
    def institution(self) -> tuple[str, str] | None:
        """(name, slug) of the window to go to first: the best institution, else the best program's."""
        if self.organizations:
            return self.organizations[0].name, self.organizations[0].id
        for p in self.programs:
            if p.organization and p.organization_id:
                return p.organization, p.organization_id
        return None

    @property
    def program(self) -> Hit | None:
        """The program to ask about: the institution's own if it has one among the best, else the best."""
        inst = self.institution
        own = [p for p in self.programs if inst and p.organization_id == inst[1]]
        best = own or self.programs
        return best[0] if best else None

    @property
    def others(self) -> list[Hit]:
        """The other candidates, for a person who wants to compare."""
        inst, prog = self.institution, self.program
        return [h for h in self.organizations if not inst or h.id != inst[1]] + [p for p in self.programs if p is not prog]

    @property
    def keys(self) -> list[str]:
        """What 「保存」 stores for this step: the institution and the program."""
        inst, prog = self.institution, self.program
        return ([f"organization:{inst[1]}"] if inst else []) + ([f"program:{prog.id}"] if prog else [])


@dataclass
class Roadmap:
    stage: str | None
    stage_label: str | None
    now: list[Section]
    next_stage: str | None
    next_stage_label: str | None
    next: list[Section]


Fit = Callable[[list[Hit]], list[Hit]]


def _section(
    corpus: Corpus, function: str, stage: str | None, field_: str | None, municipality: str | None, fit: Fit | None,
) -> Section:
    def top(kind: str) -> list[Hit]:
        if kind not in corpus.kinds:
            return []
        # The need in plain words is the question: within the function it orders the
        # institutions by how well their own description answers it.
        hits = search_corpus(
            corpus, NEEDS[function], function=function, stage=stage, field=field_, municipality=municipality,
            kind=kind, limit=POOL,
        ).results
        return (fit(hits) if fit else hits)[:PER_SECTION]

    return Section(function, FUNCTION_LABELS[function], NEEDS[function], top("organization"), top("program"))


def order_by_fit(
    hits: list[Hit], *, field: str | None, places: set[str], codes: dict[str, tuple[set[str], set[str]]],
) -> list[Hit]:
    """Order hits by how well they fit the chosen field and place, keeping the engine's order
    within each group: first those in the place that name the field, then in the place, then
    naming the field, then the rest. `codes` maps "kind:id" to (fields, municipalities)."""

    def rank(pair: tuple[int, Hit]) -> tuple[int, int]:
        i, hit = pair
        fields, munis = codes.get(f"{hit.kind}:{hit.id}", (set(), set()))
        in_place = bool(places and munis & places)
        has_field = bool(field and field in fields)
        return (-(2 * in_place + has_field), i)

    return [h for _i, h in sorted(enumerate(hits), key=rank)]


def next_stage_of(corpus: Corpus, stage: str | None) -> str | None:
    stages = list(corpus.stage_labels)
    if stage not in stages:
        return None
    i = stages.index(stage)
    return stages[i + 1] if i + 1 < len(stages) else None


def roadmap(
    corpus: Corpus, *, stage: str | None, needs: list[str], field: str | None = None, municipality: str | None = None,
    fit: Fit | None = None,
) -> Roadmap:
    """Return what to use now (per need) and what comes at the next stage.

    `fit` reorders each section's pool (views pass one reading the stored documents' fields
    and places, `order_by_fit`); without it the engine's order stands.
    """
    needs = [n for n in needs if n in FUNCTION_CODES] or list(NEXT_STAGE_NEEDS.get(stage or "", ["management"]))
    now = [_section(corpus, f, stage, field, municipality, fit) for f in needs]
    nxt = next_stage_of(corpus, stage)
    later_needs = [f for f in NEXT_STAGE_NEEDS.get(nxt or "", []) if f not in needs] if nxt else []
    later = [_section(corpus, f, nxt, field, municipality, fit) for f in later_needs]
    return Roadmap(
        stage, corpus.stage_labels.get(stage or ""), now, nxt, corpus.stage_labels.get(nxt or ""), later,
    )
