"""Which models are searchable, and how a record becomes a document.

    register("event", Event, event_to_doc)

connects post_save/post_delete so that saving a record updates its SearchDocument and moves
the IndexVersion, and adds the model to `madoguchi reindex`. Organizations, programs and
facilities are registered in SearchConfig.ready(); later apps (events, matching listings)
register their own kinds the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from madoguchi.search.engine import DocMeta

ToDoc = Callable[[Any], "DocMeta | None"]
Dependents = Callable[[list[Any]], Iterable[tuple[str, Any]]]


@dataclass
class Registration:
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
        return self.queryset() if self.queryset else self.model._default_manager.all()

    def filter_pks(self, pks: list[Any]) -> Any:
        return self.all_objects().filter(pk__in=pks)


REGISTRY: dict[str, Registration] = {}


def register(
    kind: str,
    model: type[models.Model],
    to_doc: ToDoc,
    *,
    dependents: Dependents | None = None,
    queryset: Callable[[], Iterable[Any]] | None = None,
    m2m: Iterable[Any] = (),
    label: str | None = None,
) -> Registration:
    """Make `model` searchable as `kind`; `to_doc(obj)` returns its DocMeta (None: not indexed).

    `label` is the kind's Japanese name (「イベント」). `m2m` lists many-to-many descriptors (Program.functions) whose changes also refresh the
    record, since they are saved after the record itself.
    """
    reg = Registration(kind, model, to_doc, [dependents] if dependents else [], queryset)
    REGISTRY[kind] = reg
    if label is not None:
        from madoguchi.search.facets import KIND_LABELS

        KIND_LABELS[kind] = label  # shown on result cards and in the kind filter

    def on_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if raw:  # fixtures: the related rows may not exist yet; `reindex` covers them
            return
        from madoguchi.search.documents import mark_dirty

        mark_dirty(kind, instance.pk)

    def on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
        from madoguchi.search.documents import mark_dirty

        mark_dirty(kind, instance.pk)

    def on_m2m(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
        if action in ("post_add", "post_remove", "post_clear") and not reverse:
            from madoguchi.search.documents import mark_dirty

            mark_dirty(kind, instance.pk)

    post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"search-save-{kind}")
    post_delete.connect(on_delete, sender=model, weak=False, dispatch_uid=f"search-delete-{kind}")
    reg.extra = [f"search-m2m-{kind}-{d.through.__name__}" for d in m2m]
    for descriptor, uid in zip(m2m, reg.extra):
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
    for sender, uid in zip(reg.m2m_senders, reg.extra):
        m2m_changed.disconnect(sender=sender, dispatch_uid=uid)


def kind_of(model: type[models.Model]) -> str | None:
    for kind, reg in REGISTRY.items():
        if reg.model is model:
            return kind
    return None
