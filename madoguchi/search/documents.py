"""Records → SearchDocument rows (and a SearchChange per changed row, for search.live).

Writing happens on save (signals connected by the registry) and in `madoguchi reindex`;
reading happens in search.live, which builds the per-process Corpus and never runs Sudachi.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from madoguchi.search.engine import DocMeta
from madoguchi.search.facets import DEFAULT_FIELD_LABELS, DEFAULT_STAGE_LABELS, FUNCTION_LABELS, Gazetteer
from madoguchi.search.program_filters import connect_signals as connect_catalog_signals
from madoguchi.search.program_filters import program_facts, program_words
from madoguchi.search.models import IndexVersion, SearchChange, SearchDocument
from madoguchi.search.registry import REGISTRY, register

BATCH = 500


def _join(values: Iterable[str]) -> str:
    return " ".join(sorted({v.replace(" ", "_") for v in values if v}))


def _row(doc: DocMeta, pk: Any) -> SearchDocument:
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
    return _pending.keys  # type: ignore[no-any-return]


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
                    rows.append(_row(doc, obj.pk))
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


def rebuild_all(progress: Callable[[str, int, int], None] | None = None) -> int:
    """Rebuild every document of every registered kind in one transaction; return the count."""
    count = 0
    _pending_set().clear()
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for kind, reg in REGISTRY.items():
            objects = list(reg.all_objects())
            batch: list[SearchDocument] = []
            for i, obj in enumerate(objects, 1):
                doc = reg.to_doc(obj)
                if doc is not None:
                    batch.append(_row(doc, obj.pk))
                if len(batch) >= BATCH:
                    SearchDocument.objects.bulk_create(batch)
                    count += len(batch)
                    batch = []
                if progress is not None and (i % 100 == 0 or i == len(objects)):
                    progress(kind, i, len(objects))
            SearchDocument.objects.bulk_create(batch)
            count += len(batch)
        SearchChange.objects.all().delete()  # a new generation: no process builds on the old history
        IndexVersion.bump()
    return count


# --- reading -----------------------------------------------------------------------------


def gazetteer_from_db() -> Gazetteer:
    from madoguchi.directory.models import Area, Municipality

    gaz = Gazetteer()
    munis = list(Municipality.objects.all())
    by_id = {m.pk: m for m in munis}

    def current(m: Municipality) -> Municipality:
        seen = set()
        while m.successor_id and m.pk not in seen:
            seen.add(m.pk)
            m = by_id.get(m.successor_id, m)
        return m

    for m in munis:
        now = current(m)
        if m.valid_to is None:
            gaz.labels[m.code] = m.name
        if m.parent_id and m.parent_id in by_id:
            gaz.children.setdefault(by_id[m.parent_id].code, []).append(m.code)
    # Current names first, so a former name never takes a current one's key.
    for m in sorted(munis, key=lambda m: m.valid_to is not None):
        gaz.add_municipality(m.code, m.name, current_code=current(m).code)
    for area in Area.objects.prefetch_related("municipalities"):
        gaz.areas[area.slug] = (area.name, [m.code for m in area.municipalities.all()])
        name = area.name.removesuffix("地域")
        for key in {area.name, name}:
            if len(key) >= 2:
                gaz.area_names[key] = area.slug
    return gaz


def labels_from_db() -> tuple[dict[str, str], dict[str, str]]:
    from madoguchi.directory.models import BusinessStage, Field

    stages = dict(BusinessStage.objects.values_list("code", "name")) or dict(DEFAULT_STAGE_LABELS)
    fields = dict(Field.objects.values_list("code", "name")) or dict(DEFAULT_FIELD_LABELS)
    return stages, fields


# --- the built-in kinds ------------------------------------------------------------------


def _inferred_fields(*texts: str) -> set[str]:
    """Fields the record's own words name (ソフトウェア → IT): the plan assigns few fields."""
    from madoguchi.search.facets import recognise

    return {f.code for f in recognise(" ".join(texts)) if f.type == "field"}


def _codes(manager: Any, attr: str = "code") -> set[str]:
    return {getattr(x, attr) for x in manager.all()}


def organization_doc(org: Any) -> DocMeta | None:
    if org.kind == "prefecture":
        return None  # the prefecture's department reads reports; it is not a window for clients
    functions = {link.function.code for link in org.function_links.all()}
    parts = [
        org.name if org.current_name else "", org.kana, org.name_en, " ".join(org.aliases or []),
        org.get_kind_display(), org.main_functions_text,
        " ".join(FUNCTION_LABELS.get(c, "") for c in sorted(functions)),
        org.description, org.profile, org.current_note, org.display_address,
    ]
    return DocMeta(
        id=org.slug, kind="organization", title=org.display_name, text="\n".join(p for p in parts if p),
        functions=functions, stages=_codes(org.stages),
        fields=_codes(org.fields) | _inferred_fields(org.display_name, org.description),
        municipalities={org.municipality.code} if org.municipality_id else set(),
        url=org.get_absolute_url(),
    )


def program_doc(program: Any) -> DocMeta | None:
    if program.retired_at is not None:
        return None  # retired by its institution's staff: no longer offered
    org = program.organization
    functions = _codes(program.functions) or {link.function.code for link in org.function_links.all()}
    parts = [
        program.get_category_display(), program.description, program.eligibility, program.eligibility_size,
        " ".join(FUNCTION_LABELS.get(c, "") for c in sorted(functions)), org.display_name, program.current_note,
        program_words(program),
    ]
    places = _codes(program.eligibility_area) or ({org.municipality.code} if org.municipality_id else set())
    return DocMeta(
        id=program.slug, kind="program", title=program.name, text="\n".join(p for p in parts if p),
        organization=org.display_name, organization_id=org.slug, functions=functions,
        stages=_codes(program.stages),
        fields=_codes(program.fields) | _inferred_fields(program.name, program.description),
        municipalities=places,
        url=program.get_absolute_url(), program=program_facts(program),
    )


FACILITY_FUNCTIONS = {"incubator": {"startup"}, "research": {"tech_dev"}}


def facility_doc(facility: Any) -> DocMeta | None:
    if facility.retired_at is not None:
        return None
    op = facility.operator
    parts = [facility.get_kind_display(), facility.description, op.display_name if op else "", facility.address, facility.current_note]
    return DocMeta(
        id=facility.slug, kind="facility", title=facility.name, text="\n".join(p for p in parts if p),
        organization=op.display_name if op else None, organization_id=op.slug if op else None,
        functions=set(FACILITY_FUNCTIONS.get(facility.kind, set())),
        municipalities={facility.municipality.code} if facility.municipality_id else set(),
        url=facility.get_absolute_url(),
    )


def _org_dependents(pks: list[Any]) -> Iterable[tuple[str, Any]]:
    from madoguchi.directory.models import Facility, Program

    for pk in Program.objects.filter(organization__in=pks).values_list("pk", flat=True):
        yield "program", pk
    for pk in Facility.objects.filter(operator__in=pks).values_list("pk", flat=True):
        yield "facility", pk


def register_builtin_kinds() -> None:
    from madoguchi.directory.models import Facility, Organization, OrganizationFunction, Program

    register(
        "organization", Organization, organization_doc, dependents=_org_dependents,
        queryset=lambda: Organization.objects.select_related("municipality").prefetch_related("stages", "fields", "function_links__function"),
        m2m=[Organization.stages, Organization.fields],
    )
    register(
        "program", Program, program_doc,
        queryset=lambda: Program.objects.select_related("organization__municipality", "catalog__source").prefetch_related(
            "functions", "stages", "fields", "eligibility_area", "organization__function_links__function",
            "catalog__rounds"),
        m2m=[Program.functions, Program.stages, Program.fields, Program.eligibility_area],
    )
    register(
        "facility", Facility, facility_doc,
        queryset=lambda: Facility.objects.select_related("operator", "municipality"),
    )

    # OrganizationFunction rows are saved after their organization: refresh it then.
    from django.db.models.signals import post_delete, post_save

    def on_link(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            mark_dirty("organization", instance.organization_id)

    connect_catalog_signals()
    post_save.connect(on_link, sender=OrganizationFunction, weak=False, dispatch_uid="search-orgfunction-save")
    post_delete.connect(on_link, sender=OrganizationFunction, weak=False, dispatch_uid="search-orgfunction-delete")
