"""The table of searchable kinds: what search.registry.register() records, and the writers read.

Apart from the registry so that the writing (search.dirty, search.documents) and the
registering (whose save signals mark records dirty) can both read it without needing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from madoguchi.search.corpus import DocMeta

ToDoc = Callable[[Any], "DocMeta | None"]
Dependents = Callable[[list[Any]], Iterable[tuple[str, Any]]]


@dataclass
class Registration:
    """One searchable kind: its model, how a record becomes a document, and who depends on it."""

    kind: str
    model: type[models.Model]
    to_doc: ToDoc
    # Records whose document must be refreshed too when these are saved (a program shows
    # its organization's name): each is called with a list of primary keys, yields (kind, pk).
    # A list, because later apps add their own kinds' dependents (add_dependents).
    dependents: list[Dependents] = field(default_factory=list)
    queryset: Callable[[], Iterable[Any]] | None = None
    extra: list[str] = field(default_factory=list)  # dispatch uids of the m2m handlers
    m2m_senders: list[Any] = field(default_factory=list)

    def all_objects(self) -> Any:
        """Return every record that may have a document (the registered queryset, else all)."""
        return self.queryset() if self.queryset else self.model._default_manager.all()

    def filter_pks(self, pks: list[Any]) -> Any:
        """Return those of `pks` that may have a document."""
        return self.all_objects().filter(pk__in=pks)


REGISTRY: dict[str, Registration] = {}
