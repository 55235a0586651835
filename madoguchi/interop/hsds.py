"""The registry as Open Referral HSDS 3.0: plain functions from our models to HSDS objects.

organization ← Organization, service ← Program, location ← an institution's office, its
other offices (Location) and the facilities of 表1, service_at_location ← a program at its
institution's main office, taxonomy / taxonomy_term ← the eight functions of 表4, the business
stages and the fields, attribute ← which of those an institution or program has.

HSDS wants UUIDs; ours are slugs. `hsds_id()` derives a UUID5 from a fixed namespace and
"<table>:<slug>", so every export (and every machine) gives the same ids. Where staff
recorded today's facts (`current_*`) they win, as on the pages; the plan's wording is kept as
a `metadata` record (previous_value → replacement_value) beside a record naming the plan's
section or table and its as-of date. Japanese stays Japanese; `name_en` goes to
`alternate_name`. The schemas are vendored in data/hsds-3.0/ (CC BY-SA 4.0, see its README).
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import json
import uuid
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from madoguchi.directory.models import (
    BusinessStage,
    Facility,
    Field,
    Location,
    Municipality,
    Organization,
    OrganizationFunction,
    Program,
    SupportFunction,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "hsds-3.0" / "schema"
# Never change: every published id is derived from it.
NAMESPACE = uuid.UUID("5f0c3a52-6b1e-4f0e-9d7a-4d1a7c2e9b10")
PLAN_TITLE = "宮城県「事業環境整備構想」（平成17年12月）"
UPDATED_BY_STAFF = "madoguchi 登録簿の担当者"

# The tables we fill, in the order a reader meets them (file names follow the schemas' `path`).
TABLES = [
    "organization", "service", "location", "service_at_location", "address", "phone", "contact",
    "schedule", "service_area", "taxonomy", "taxonomy_term", "attribute", "metadata",
]

# Our three vocabularies: (key, taxonomy name, description).
TAXONOMIES = [
    ("support_function", "支援機能（表4）", f"{PLAN_TITLE} 表4 の8つの支援機能。"),
    ("business_stage", "事業段階", "事業の発展段階。計画は段階の名を挙げていないため madoguchi が定めたもの。"),
    ("field", "分野", "県の戦略分野・産業分野。"),
    ("program_category", "事業区分", "中核的支援機関の事業の6区分（二-1）とその他。"),
    ("program_type", "制度の種別", "今日の支援制度の種別（補助金、融資、…）。madoguchi のカタログが定めたもの。"),
]


def hsds_id(table: str, key: str) -> str:
    """Return the stable UUID (as text) of the HSDS `table` row for our `key` (a slug or code path)."""
    return str(uuid.uuid5(NAMESPACE, f"{table}:{key}"))


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: HSDS fields are optional, and "" is no valid uri, email or number."""
    return {k: v for k, v in record.items() if v not in ("", None, [])}


def page_uri(obj: Any) -> str:
    return f"{settings.SITE_URL}{obj.get_absolute_url()}"


# ---------------------------------------------------------------- provenance (metadata)


def _metadata(table: str, key: str, suffix: str, *, action: str, date: dt.date | None, by: str,
              field: str = "", previous: str = "", replacement: str = "") -> dict[str, Any]:
    """One metadata record about the `table` row `key` (`suffix` tells its records apart)."""
    return {
        "id": hsds_id("metadata", f"{table}:{key}:{suffix}"),
        "resource_id": hsds_id(table, key),
        "resource_type": table,
        "last_action_date": _iso(date),
        "last_action_type": action,
        "field_name": field,
        "previous_value": previous,
        "replacement_value": replacement,
        "updated_by": by,
    }


def provenance(table: str, key: str, obj: Any) -> dict[str, Any]:
    """The metadata record saying where the row came from: the plan's section or table, and when."""
    source = f"{PLAN_TITLE} {obj.source}".strip() if obj.source else "madoguchi"
    return _metadata(table, key, "source", action="create", date=obj.as_of, by=source)


def current_fact(table: str, key: str, field: str, plan_value: str, current: str, as_of: dt.date | None) -> dict[str, Any]:
    """The metadata record of a fact staff recorded on top of the plan's (the plan's value stays visible)."""
    return _metadata(table, key, field, action="update", date=as_of, by=UPDATED_BY_STAFF,
                     field=field, previous=plan_value, replacement=current)


def profile_fact(key: str, org: Organization) -> dict[str, Any]:
    """The metadata record of an organization's curated profile, exported as its description."""
    return _metadata("organization", key, "profile", action="create", date=org.profile_as_of, by=org.profile_source,
                     field="description", replacement=org.profile)


def _with_current_note(text: str, note: str, as_of: dt.date | None) -> str:
    if not note:
        return text
    dated = f"現況（{_iso(as_of)} 時点）: {note}" if as_of else f"現況: {note}"
    return f"{text}\n\n{dated}" if text else dated


# ---------------------------------------------------------------- taxonomies and attributes


def taxonomy_record(key: str) -> dict[str, Any]:
    name, description = next((n, d) for k, n, d in TAXONOMIES if k == key)
    return {"id": hsds_id("taxonomy", key), "name": name, "description": description, "version": "2005-12"}


def term_record(taxonomy: str, term: SupportFunction | BusinessStage | Field) -> dict[str, Any]:
    return _term(taxonomy, term.code, term.name, getattr(term, "description", "") or term.name)


def _term(taxonomy: str, code: str, name: str, description: str) -> dict[str, Any]:
    return _compact({
        "id": hsds_id("taxonomy_term", f"{taxonomy}:{code}"),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": taxonomy_record(taxonomy)["name"],
        "taxonomy_id": hsds_id("taxonomy", taxonomy),
        "language": "ja",
    })


def attribute_record(
    entity: str, key: str, taxonomy: str, code: str, value: str = "",
) -> dict[str, Any]:
    """That the `entity` row `key` carries the term `code` of `taxonomy`; value says on what basis."""
    return _compact({
        "id": hsds_id("attribute", f"{entity}:{key}:{taxonomy}:{code}"),
        "link_id": hsds_id(entity, key),
        "taxonomy_term_id": hsds_id("taxonomy_term", f"{taxonomy}:{code}"),
        "link_type": taxonomy,
        "link_entity": entity,
        "value": value,
    })


def _function_value(link: OrganizationFunction) -> str:
    # 表4's marks were lost in the text; say when a function was derived, and from what.
    if link.derived:
        return f"推定: {link.basis}" if link.basis else "推定"
    return link.basis


# ---------------------------------------------------------------- places


def address_record(table: str, key: str, address: str, municipality: Municipality | None, postal_code: str = "") -> dict[str, Any]:
    city = municipality.city if municipality else None
    return {
        "id": hsds_id("address", f"{table}:{key}"),
        "location_id": hsds_id("location", key),
        "address_1": address,
        "city": city.name if city else "",
        "region": municipality.name if municipality and municipality.parent_id else "",
        "state_province": municipality.prefecture if municipality else "宮城県",
        "postal_code": postal_code,
        "country": "JP",
        "address_type": "physical",
    }


def phone_record(owner: str, owner_key: str, number: str, **links: str) -> dict[str, Any]:
    return {"id": hsds_id("phone", f"{owner}:{owner_key}"), **links, "number": number, "type": "voice"}


def main_location_key(org: Organization) -> str:
    return f"organization:{org.slug}"


def organization_location(org: Organization) -> dict[str, Any] | None:
    """The institution's own office, from its (today's, else the plan's) address; None without one."""
    address = org.display_address
    if not address:
        return None
    key = main_location_key(org)
    location_id = hsds_id("location", key)
    phones = [phone_record("location", key, org.display_phone, location_id=location_id)] if org.display_phone else []
    return _compact({
        "id": location_id,
        "location_type": "physical",
        "organization_id": hsds_id("organization", org.slug),
        "name": org.display_name,
        "alternate_name": org.display_name_en,
        "url": page_uri(org),
        "addresses": [address_record("location", key, address, org.municipality, org.postal_code)],
        "phones": phones,
        "metadata": [provenance("location", key, org)],
    })


def office_location(office: Location) -> dict[str, Any]:
    """Another office of an institution (本部・支部)."""
    key = f"office:{office.organization.slug}:{office.label}"
    location_id = hsds_id("location", key)
    return _compact({
        "id": location_id,
        "location_type": "physical",
        "organization_id": hsds_id("organization", office.organization.slug),
        "name": f"{office.organization.display_name}（{office.label}）",
        "addresses": [address_record("location", key, office.address, office.municipality)],
        "phones": [phone_record("location", key, office.phone, location_id=location_id)] if office.phone else [],
        "metadata": [provenance("location", key, office)],
    })


def facility_location(facility: Facility) -> dict[str, Any]:
    """An incubation or research facility of 表1; its operator, when known, is the organization."""
    key = f"facility:{facility.slug}"
    return _compact({
        "id": hsds_id("location", key),
        "location_type": "physical",
        "organization_id": hsds_id("organization", facility.operator.slug) if facility.operator else None,
        "name": facility.name,
        "description": _with_current_note(
            facility.description or str(Facility.Kind(facility.kind).label), facility.current_note, facility.current_as_of
        ),
        "url": page_uri(facility),
        "external_identifier": facility.slug,
        "external_identifier_type": "madoguchi facility slug",
        "addresses": (
            [address_record("location", key, facility.address, facility.municipality)] if facility.address else []
        ),
        "metadata": [provenance("location", key, facility)],
    })


# ---------------------------------------------------------------- organization and service


def organization_record(org: Organization) -> dict[str, Any]:
    """Return the HSDS organization (with phones, locations, attributes and metadata) for `org`.

    Needs function_links (with function), locations, municipality and parent loaded
    (see `organizations_for_hsds`).
    """
    key = org.slug
    org_id = hsds_id("organization", key)
    kind = str(Organization.Kind(org.kind).label)
    metadata = [provenance("organization", key, org)]
    if org.description:
        description = org.description
    elif org.profile:
        # The plan only names this body: the editors' (or staff's) profile describes it, and a
        # metadata record says whose words they are, as the page shows them under their own label.
        description = org.profile
        metadata.append(profile_fact(key, org))
    else:
        description = f"{kind}。主な支援機能: {org.main_functions_text}" if org.main_functions_text else kind
    for field, plan_value, current in (
        ("name", org.name, org.current_name), ("address", org.address, org.current_address),
        ("phone", org.phone, org.current_phone),
    ):
        if current and current != plan_value:
            metadata.append(current_fact("organization", key, field, plan_value, current, org.current_as_of))
    locations = [loc for loc in [organization_location(org)] if loc]
    locations += [office_location(office) for office in org.locations.all()]
    return _compact({
        "id": org_id,
        "name": org.display_name,
        "alternate_name": org.display_name_en,
        "description": _with_current_note(description, org.current_note, org.current_as_of),
        "email": org.email,
        "website": org.url,
        "legal_status": str(Organization.Sector(org.sector).label) if org.sector else "",
        "uri": page_uri(org),
        "parent_organization_id": hsds_id("organization", org.parent.slug) if org.parent_id and org.parent else None,
        "phones": [phone_record("organization", key, org.display_phone, organization_id=org_id)] if org.display_phone else [],
        "locations": locations,
        "attributes": [
            attribute_record("organization", key, "support_function", link.function.code, _function_value(link))
            for link in org.function_links.all()
        ] + [attribute_record("organization", key, "business_stage", s.code) for s in org.stages.all()]
        + [attribute_record("organization", key, "field", f.code) for f in org.fields.all()],
        "metadata": metadata,
    })


def service_status(program: Program) -> str:
    if program.organization.status == Organization.Status.DISSOLVED:
        return "defunct"
    return "active"


def service_record(program: Program) -> dict[str, Any]:
    """Return the HSDS service (with its place, contact, window, area, attributes, metadata) for `program`.

    Needs organization, functions, stages, fields and eligibility_area loaded (see `programs_for_hsds`).
    """
    key = program.slug
    service_id = hsds_id("service", key)
    org = program.organization
    eligibility = "\n".join(part for part in (program.eligibility_size, program.eligibility) if part)
    entry = getattr(program, "catalog", None)  # today's program facts (catalog), when it has them
    schedules = []
    if program.application_opens or program.application_closes:
        schedules.append(_compact({
            "id": hsds_id("schedule", f"service:{key}"),
            "service_id": service_id,
            "valid_from": _iso(program.application_opens),
            "valid_to": _iso(program.application_closes),
            "description": "受付期間",
        }))
    elif entry is not None and any(r.year_round for r in entry.rounds.all()):
        schedules.append({"id": hsds_id("schedule", f"service:{key}"), "service_id": service_id, "description": "通年"})
    at_locations = []
    if org.display_address:
        # The plan names no place per program: it is asked for at its institution's office.
        at_locations.append({
            "id": hsds_id("service_at_location", f"{key}:{main_location_key(org)}"),
            "service_id": service_id,
            "location_id": hsds_id("location", main_location_key(org)),
        })
    return _compact({
        "id": service_id,
        "organization_id": hsds_id("organization", org.slug),
        "name": program.name,
        "description": _with_current_note(
            program.description or str(Program.Category(program.category).label), program.current_note,
            program.current_as_of,
        ),
        "url": program.url or page_uri(program),
        "status": service_status(program),
        "eligibility_description": eligibility,
        "contacts": [{
            "id": hsds_id("contact", f"service:{key}"), "service_id": service_id, "name": program.contact,
        }] if program.contact else [],
        "schedules": schedules,
        "service_areas": service_areas(program, entry, service_id),
        "service_at_locations": at_locations,
        "attributes": [
            attribute_record("service", key, "support_function", f.code, program.function_basis)
            for f in program.functions.all()
        ] + [attribute_record("service", key, "business_stage", s.code, program.stage_basis) for s in program.stages.all()]
        + [attribute_record("service", key, "field", f.code) for f in program.fields.all()]
        + [attribute_record("service", key, "program_category", program.category)]
        # その他 is what a program without a known type has (and every program an HSDS feed brings).
        + ([attribute_record("service", key, "program_type", entry.type)] if entry is not None and entry.type != "other" else []),
        "metadata": [provenance("service", key, program), page_fact(key, program)],
    })


def page_fact(key: str, program: Program) -> dict[str, Any]:
    """The metadata record naming the program's page here: its `url` may be the program's own
    site, and the page's address (with the slug every id is derived from) lets import-hsds give
    a re-imported service the same ids."""
    return _metadata("service", key, "page", action="create", date=program.as_of, by="madoguchi",
                     field="page", replacement=page_uri(program))


def service_areas(program: Program, entry: Any, service_id: str) -> list[dict[str, Any]]:
    """The plan's municipalities, then the catalog's 全国地方公共団体コード (prefectures included)."""
    from madoguchi.catalog import areas  # catalog knows nothing of interop: no cycle

    records = {
        m.code: {"id": hsds_id("service_area", f"{program.slug}:{m.code}"), "service_id": service_id, "name": m.name,
                 "extent_type": "municipality", "uri": m.code}
        for m in program.eligibility_area.all()
    }
    for code in entry.area_code_list if entry is not None else []:
        government = areas.lookup(code)
        records.setdefault(code, _compact({
            "id": hsds_id("service_area", f"{program.slug}:{code}"), "service_id": service_id,
            "name": government.full_name if government else code,
            "extent_type": "prefecture" if government and government.is_prefecture else "municipality", "uri": code,
        }))
    return list(records.values())


# ---------------------------------------------------------------- querysets (one query per relation)


def organizations_for_hsds() -> QuerySet[Organization]:
    return (
        Organization.objects.select_related("municipality__parent", "parent")
        .prefetch_related(
            Prefetch("function_links", queryset=OrganizationFunction.objects.select_related("function")
                     .order_by("function__order")),
            Prefetch("locations", queryset=Location.objects.select_related("municipality__parent", "organization")),
            "stages", "fields",
        )
        .order_by("kind", "plan_order", "name", "pk")
    )


def programs_for_hsds() -> QuerySet[Program]:
    return (
        Program.objects.select_related("organization__municipality", "catalog")
        .prefetch_related(
            Prefetch("functions", queryset=SupportFunction.objects.order_by("order")),
            "stages", "fields", "eligibility_area", "catalog__rounds",
        )
        .order_by("organization__kind", "organization__plan_order", "organization__name", "order", "name", "pk")
    )


def taxonomy_terms() -> Iterator[dict[str, Any]]:
    for function in SupportFunction.objects.order_by("order"):
        yield term_record("support_function", function)
    for stage in BusinessStage.objects.order_by("order"):
        yield term_record("business_stage", stage)
    for field in Field.objects.order_by("order", "code"):
        yield term_record("field", field)
    for category in Program.Category:
        yield _term("program_category", category.value, str(category.label), str(category.label))
    from madoguchi.catalog.models import ProgramType  # catalog knows nothing of interop: no cycle

    for kind in ProgramType:
        yield _term("program_type", kind.value, str(kind.label), str(kind.label))


def taxonomies() -> list[dict[str, Any]]:
    return [taxonomy_record(key) for key, _name, _description in TAXONOMIES]


# ---------------------------------------------------------------- tables (flat rows, as in examples/csv)


@cache
def schema(table: str) -> dict[str, Any]:
    """The vendored HSDS 3.0 JSON Schema of `table`."""
    return json.loads((SCHEMA_DIR / f"{table}.json").read_text(encoding="utf-8"))


def _child_table(prop: dict[str, Any]) -> str | None:
    ref = prop.get("$ref") or (prop.get("items") or {}).get("$ref")
    return ref.removesuffix(".json") if ref else None


def columns(table: str) -> list[str]:
    """The table's CSV columns: its schema's scalar properties, in schema order (as examples/csv)."""
    return [name for name, prop in schema(table)["properties"].items() if not _child_table(prop)]


def table_file(table: str, suffix: str) -> str:
    return str(schema(table)["path"]).removesuffix(".csv") + suffix


def flatten(table: str, record: dict[str, Any], into: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Split a nested HSDS record into flat rows per table (each child already carries its foreign key)."""
    row: dict[str, Any] = {}
    for name, value in record.items():
        child = _child_table(schema(table)["properties"].get(name, {}))
        if child is None:
            row[name] = value
        else:
            for item in value if isinstance(value, list) else [value]:
                flatten(child, item, into)
    # The same location hangs under its organization and under each service at it: keep one.
    into.setdefault(table, {}).setdefault(row["id"], row)


def export_records(chunk_size: int = 500) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ("organization" | "service" | "location" | "taxonomy" | "taxonomy_term", nested record)."""
    for org in organizations_for_hsds().iterator(chunk_size=chunk_size):
        yield "organization", organization_record(org)
    for program in programs_for_hsds().iterator(chunk_size=chunk_size):
        yield "service", service_record(program)
    for facility in Facility.objects.select_related("operator", "municipality__parent").order_by("name", "pk"):
        yield "location", facility_location(facility)
    for taxonomy in taxonomies():
        yield "taxonomy", taxonomy
    for term in taxonomy_terms():
        yield "taxonomy_term", term


def export_tables(records: Iterable[tuple[str, dict[str, Any]]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Return every HSDS table we fill as flat rows, in TABLES order (tables without rows are empty)."""
    into: dict[str, dict[str, dict[str, Any]]] = {}
    for table, record in records if records is not None else export_records():
        flatten(table, record, into)
    return {table: list(into.get(table, {}).values()) for table in TABLES}


# ---------------------------------------------------------------- files


class ExportError(Exception):
    """The export could not be written (the message is Japanese, for the person running it)."""


def _reason(exc: OSError) -> str:
    """Why the OS refused, in Japanese (strerror is English)."""
    reasons = {
        errno.EACCES: "書き込む権限がありません", errno.EPERM: "書き込む権限がありません",
        errno.EROFS: "読み取り専用のファイルシステムです", errno.ENOTDIR: "途中にディレクトリではないファイルがあります",
        errno.ENOENT: "親ディレクトリを作成できません", errno.ENOSPC: "ディスクの空きがありません",
        errno.EISDIR: "同じ名前のディレクトリがあります",
    }
    return reasons.get(exc.errno or 0, f"OS のエラー: {exc.strerror or exc}")


def write_export(directory: Path, fmt: str = "json", stdout: Any = None) -> dict[str, int]:
    """Write every table to `directory` as `<table>.json` (a JSON array) or the CSV of examples/csv.

    Returns rows per table. Raises ExportError when the directory cannot be created or written.
    """
    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"出力先 {directory} を作成できません（{_reason(exc)}）。書き込めるディレクトリを指定してください。") from exc
    say("登録簿を HSDS 3.0 に変換しています…")
    tables = export_tables()
    counts = {}
    for table, rows in tables.items():
        path = directory / table_file(table, f".{fmt}")
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                if fmt == "csv":
                    writer = csv.DictWriter(out, fieldnames=columns(table), extrasaction="raise")
                    writer.writeheader()
                    writer.writerows(rows)
                else:
                    json.dump(rows, out, ensure_ascii=False, indent=2)
                    out.write("\n")
        except OSError as exc:
            raise ExportError(f"{path} に書き込めません（{_reason(exc)}）。書き込めるディレクトリを指定してください。") from exc
        counts[table] = len(rows)
        say(f"  {path.name}: {len(rows)} 件")
    return counts
