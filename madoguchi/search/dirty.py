"""Records marked changed, and their SearchDocument rows rewritten when the transaction commits.

`mark_dirty(kind, pk)` is what every change calls: the registry's save signals, the catalog's
signals (search.program_facts), and apps that know of changes no signal reports (events that
ended). `flush()` rewrites the marked records' documents, and their dependents', and logs a
SearchChange per record, which each process applies to its index on its next search (search.live).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from madoguchi.search.corpus import DocMeta
from madoguchi.search.kinds import REGISTRY
from madoguchi.search.models import IndexVersion, SearchChange, SearchDocument

BATCH = 500


def _join(values: Iterable[str]) -> str:
    return " ".join(sorted({v.replace(" ", "_") for v in values if v}))


def document_row(doc: DocMeta, pk: Any) -> SearchDocument:
    """Return the (unsaved) SearchDocument of a record's DocMeta, its terms analysed now."""
    return SearchDocument(
        kind=doc.kind, object_pk=str(pk), object_id=doc.id[:100], title=doc.title[:300],
        organization_name=(doc.organization or "")[:300], organization_slug=(doc.organization_id or "")[:100],
        url=doc.url[:300], terms=" ".join(t.replace(" ", "_") for t in doc.index_terms()),
        functions=_join(doc.functions), stages=_join(doc.stages), fields=_join(doc.fields),
        municipalities=_join(doc.municipalities), program=doc.program,
    )


_pending = threading.local()


def _pending_set() -> set[tuple[str, str]]:
    if not hasattr(_pending, "keys"):
        _pending.keys = set()
    return _pending.keys


def forget_pending() -> None:
    """Drop this thread's marks: a full rebuild (search.documents.rebuild_all) covers them."""
    _pending_set().clear()


def mark_dirty(kind: str, pk: Any) -> None:
    """Note that a record changed; its document is rewritten when the transaction commits.

    Deferring to the commit turns a bulk import's thousands of saves into one batch, and a
    rolled-back transaction leaves the index alone. A search in the same transaction (a test,
    a view that saves then searches) flushes first, so it always reads its own writes.
    """
    _pending_set().add((kind, str(pk)))
    # One flush per transaction. Not "one per new key": a key left behind by a rolled-back
    # transaction (same record, same pk) would then never get a flush at the next commit, and
    # other processes would not see the save until this thread searched.
    conn = transaction.get_connection()
    if not conn.in_atomic_block or not any(callback[1] is flush for callback in conn.run_on_commit):
        transaction.on_commit(flush)


def flush() -> int:
    """Rewrite the documents of every record marked dirty in this thread; return how many."""
    keys = _pending_set()
    if not keys:
        return 0
    todo: dict[str, set[str]] = {}
    for kind, pk in keys:
        todo.setdefault(kind, set()).add(pk)
    keys.clear()
    for kind, pks in list(todo.items()):
        reg = REGISTRY.get(kind)
        for dependents in reg.dependents if reg is not None else ():
            for dep_kind, dep_pk in dependents(sorted(pks)):
                todo.setdefault(dep_kind, set()).add(str(dep_pk))
    written = 0
    with transaction.atomic():
        # First: the number's row lock orders this batch after any other still committing.
        seq = IndexVersion.next_seq()
        changes = []
        for kind, pks in todo.items():
            reg = REGISTRY.get(kind)
            if reg is None:
                continue
            rows = []
            for obj in reg.filter_pks(sorted(pks)):
                doc = reg.to_doc(obj)
                if doc is not None:
                    rows.append(document_row(doc, obj.pk))
            stored = SearchDocument.objects.filter(kind=kind, object_pk__in=pks)
            old_ids = dict(stored.values_list("object_pk", "object_id"))
            stored.delete()
            SearchDocument.objects.bulk_create(rows, batch_size=BATCH)
            changes += [SearchChange(seq=seq, kind=kind, object_pk=pk, old_id=old_ids.get(pk, "")) for pk in sorted(pks)]
            written += len(rows)
        # Each process applies these to its index on its next search (search.live), instead of
        # rebuilding it: a save costs the time of its own documents, not the corpus's.
        SearchChange.objects.bulk_create(changes, batch_size=BATCH)
    return written


def refresh(kind: str, obj: Any) -> None:
    """Rewrite one record's document now (and its dependents')."""
    mark_dirty(kind, obj.pk)
    flush()
