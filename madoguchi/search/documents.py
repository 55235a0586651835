"""Records → documents: the built-in kinds (organizations, programs, facilities), a full rebuild,
and what the Corpus reads from the directory besides the documents (places, stage and field names).

Writing happens on save (signals connected by the registry, rewritten at commit by search.dirty)
and in `madoguchi reindex` (rebuild_all); reading happens in search.live, which builds the
per-process Corpus and never runs Sudachi.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from madoguchi.search.corpus import DocMeta
from madoguchi.search.dirty import BATCH, document_row, forget_pending, mark_dirty
from madoguchi.search.facets import DEFAULT_FIELD_LABELS, DEFAULT_STAGE_LABELS, Gazetteer
from madoguchi.search.kinds import REGISTRY
from madoguchi.search.models import IndexVersion, SearchChange, SearchDocument
from madoguchi.search.program_facts import connect_signals as connect_catalog_signals
from madoguchi.search.program_facts import program_facts, program_words
from madoguchi.search.registry import codes, function_words, inferred_fields, register


def rebuild_all(progress: Callable[[str, int, int], None] | None = None) -> int:
    """Rebuild every document of every registered kind in one transaction; return the count."""
    count = 0
    forget_pending()
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for kind, reg in REGISTRY.items():
            objects = list(reg.all_objects())
            batch: list[SearchDocument] = []
            for i, obj in enumerate(objects, 1):
                doc = reg.to_doc(obj)
                if doc is not None:
                    batch.append(document_row(doc, obj.pk))
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
    """Return the places the questions may name: municipalities (former names too) and areas."""
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
    """Return the names of the business stages and of the fields ({code: name} each)."""
    from madoguchi.directory.models import BusinessStage, Field

    stages = dict(BusinessStage.objects.values_list("code", "name")) or dict(DEFAULT_STAGE_LABELS)
    fields = dict(Field.objects.values_list("code", "name")) or dict(DEFAULT_FIELD_LABELS)
    return stages, fields


# --- the built-in kinds ------------------------------------------------------------------


def organization_doc(org: Any) -> DocMeta | None:
    if org.kind == "prefecture":
        return None  # the prefecture's department reads reports; it is not a window for clients
    functions = {link.function.code for link in org.function_links.all()}
    parts = [
        org.name if org.current_name else "", org.kana, org.name_en, " ".join(org.aliases or []),
        org.get_kind_display(), org.main_functions_text,
        function_words(functions),
        org.description, org.profile, org.current_note, org.display_address,
    ]
    return DocMeta(
        id=org.slug, kind="organization", title=org.display_name, text="\n".join(p for p in parts if p),
        functions=functions, stages=codes(org.stages),
        fields=codes(org.fields) | inferred_fields(org.display_name, org.description),
        municipalities={org.municipality.code} if org.municipality_id else set(),
        url=org.get_absolute_url(),
    )


def program_doc(program: Any) -> DocMeta | None:
    if program.retired_at is not None:
        return None  # retired by its institution's staff: no longer offered
    org = program.organization
    functions = codes(program.functions) or {link.function.code for link in org.function_links.all()}
    parts = [
        program.get_category_display(), program.description, program.eligibility, program.eligibility_size,
        function_words(functions), org.display_name, program.current_note,
        program_words(program),
    ]
    places = codes(program.eligibility_area) or ({org.municipality.code} if org.municipality_id else set())
    return DocMeta(
        id=program.slug, kind="program", title=program.name, text="\n".join(p for p in parts if p),
        organization=org.display_name, organization_id=org.slug, functions=functions,
        stages=codes(program.stages),
        fields=codes(program.fields) | inferred_fields(program.name, program.description),
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
    """Make organizations, programs and facilities searchable (called from SearchConfig.ready)."""
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

    from madoguchi.catalog.signals import programs_reloaded

    def on_link(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            mark_dirty("organization", instance.organization_id)

    def on_programs_reloaded(sender: Any, **kwargs: Any) -> None:
        rebuild_all()  # the catalog wrote too many programs at once to name them (the demo catalog)

    connect_catalog_signals()
    programs_reloaded.connect(on_programs_reloaded, weak=False, dispatch_uid="search-programs-reloaded")
    post_save.connect(on_link, sender=OrganizationFunction, weak=False, dispatch_uid="search-orgfunction-save")
    post_delete.connect(on_link, sender=OrganizationFunction, weak=False, dispatch_uid="search-orgfunction-delete")
