"""What a search answers: ranked hits with their reasons, and the facets it read from the question."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from madoguchi.search.facets import KIND_LABELS, Facet


@dataclass
class Hit:
    """One ranked record: what a result card, the API and the CLI show of it."""

    kind: str
    id: str
    name: str
    organization: str | None
    organization_id: str | None
    score: float
    reasons: list[str]
    url: str = ""
    program: dict[str, Any] | None = None  # a catalog program's type, status, closes, … (program_filters.describe_hit)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "id": self.id, "name": self.name, "organization": self.organization,
            "organization_id": self.organization_id, "score": round(self.score, 4),
            "reasons": self.reasons, "url": self.url, **(self.program or {}),
        }


@dataclass
class SearchResponse:
    """The answer to one question: the question as searched, a notice if it was cut, the facets, the hits.

    `diagnosis_entry`: nothing was asked, so the page offers the needs diagnosis instead.
    """

    query: str
    notice: str | None = None
    facets: list[Facet] = field(default_factory=list)
    results: list[Hit] = field(default_factory=list)
    diagnosis_entry: bool = False

    def facet(self, type_: str) -> Facet | None:
        """Return the first facet of a type (the one a form pre-selects)."""
        return next((f for f in self.facets if f.type == type_), None)
