"""Which models are searchable, and how a record becomes a document: the search's API for other apps.

    register("event", Event, event_to_doc)

connects post_save/post_delete so that saving a record updates its SearchDocument and moves
the IndexVersion, and adds the model to `madoguchi reindex`. Organizations, programs and
facilities are registered in SearchConfig.ready(); later apps (events, matching listings)
register their own kinds the same way, make their documents with DocMeta and the helpers
below (codes, inferred_fields, function_words), and mark records whose change no signal
reports with mark_dirty (flush rewrites them now). Nothing else of the search's is theirs to import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from madoguchi.search.corpus import DocMeta
from madoguchi.search.dirty import flush, mark_dirty
from madoguchi.search.facets import FUNCTION_LABELS, KIND_LABELS, recognise
from madoguchi.search.kinds import REGISTRY, Dependents, Registration, ToDoc
from madoguchi.search.models import SearchDocument

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "REGISTRY", "DocMeta", "Registration", "add_dependents", "codes", "flush", "function_words", "indexed_pks",
    "inferred_fields", "kind_of", "mark_dirty", "register", "unregister",
]


def register(
    kind: str,
    model: type[models.Model],
    to_doc: ToDoc,
    *,
    dependents: Dependents | None = None,
    queryset: Callable[[], Iterable[Any]] | None = None,
    m2m: Iterable[Any] = (),
    label: StrOrPromise | None = None,
) -> Registration:
    """Make `model` searchable as `kind`; `to_doc(obj)` returns its DocMeta (None: not indexed).

    `label` is the kind's Japanese name (「イベント」). `m2m` lists many-to-many descriptors (Program.functions) whose changes also refresh the
    record, since they are saved after the record itself.
    """
    reg = Registration(kind, model, to_doc, [dependents] if dependents else [], queryset)
    REGISTRY[kind] = reg
    if label is not None:
        KIND_LABELS[kind] = label  # shown on result cards and in the kind filter

    def on_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if raw:  # fixtures: the related rows may not exist yet; `reindex` covers them
            return
        mark_dirty(kind, instance.pk)

    def on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
        mark_dirty(kind, instance.pk)

    def on_m2m(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
        if action in ("post_add", "post_remove", "post_clear") and not reverse:
            mark_dirty(kind, instance.pk)

    post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"search-save-{kind}")
    post_delete.connect(on_delete, sender=model, weak=False, dispatch_uid=f"search-delete-{kind}")
    reg.extra = [f"search-m2m-{kind}-{d.through.__name__}" for d in m2m]
    for descriptor, uid in zip(m2m, reg.extra, strict=True):
        m2m_changed.connect(on_m2m, sender=descriptor.through, weak=False, dispatch_uid=uid)
    reg.m2m_senders = [d.through for d in m2m]
    return reg


def add_dependents(kind: str, dependents: Dependents) -> None:
    """Refresh other records too when a record of `kind` changes (an event shows its organizer's
    name: `add_dependents("organization", events_of)`). The kind must be registered already."""
    REGISTRY[kind].dependents.append(dependents)


def unregister(kind: str) -> None:
    """Stop indexing a kind (its stored documents stay until the next `reindex`)."""
    reg = REGISTRY.pop(kind, None)
    if reg is None:
        return
    post_save.disconnect(sender=reg.model, dispatch_uid=f"search-save-{kind}")
    post_delete.disconnect(sender=reg.model, dispatch_uid=f"search-delete-{kind}")
    for sender, uid in zip(reg.m2m_senders, reg.extra, strict=True):
        m2m_changed.disconnect(sender=sender, dispatch_uid=uid)


def kind_of(model: type[models.Model]) -> str | None:
    """Return the kind `model` is registered as, or None."""
    for kind, reg in REGISTRY.items():
        if reg.model is model:
            return kind
    return None


# --- making documents ------------------------------------------------------------------------


def codes(manager: Any, attr: str = "code") -> set[str]:
    """Return the codes of a many-to-many's records (program.stages → {"startup", …})."""
    return {getattr(x, attr) for x in manager.all()}


def inferred_fields(*texts: str) -> set[str]:
    """Fields the record's own words name (ソフトウェア → IT): the plan assigns few fields."""
    return {f.code for f in recognise(" ".join(texts)) if f.type == "field"}


def function_words(function_codes: Iterable[str]) -> str:
    """The support functions' Japanese names, in code order, so a record is found by what it does."""
    return " ".join(FUNCTION_LABELS.get(c, "") for c in sorted(function_codes))


def indexed_pks(kind: str) -> list[str]:
    """Return the primary keys (as text) of the records of `kind` that have a document now."""
    return list(SearchDocument.objects.filter(kind=kind).values_list("object_pk", flat=True))
