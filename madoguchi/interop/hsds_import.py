"""madoguchi import-hsds: an Open Referral HSDS 3.0 feed into the catalog (the reverse of hsds.py).

- service → Program + CatalogEntry, identity (source, service id): name, description, url,
  eligibility_description, assured_date (確認日), the create record of its metadata (出典・時点),
  schedules' valid_from / valid_to (one call round: the latest; 「通年」 in the description is a
  year-round one), service_areas naming a 全国地方公共団体コード (uri or extent) or a prefecture
  or municipality by name, and attributes of our own taxonomies (支援機能, 事業段階, 分野, 事業区分,
  制度の種別).
  HSDS has no field for a grant's amount or rate (cost_options are what a service costs its
  user), so those stay as staff record them.
- organization → directory Organization: the registry's own (its HSDS id, i.e. our export), by
  法人番号 (organization_identifiers: JP-COR or 法人番号), by name, else created unverified with
  the feed's name, description, website, email, address and phone. An institution already in the
  registry is never rewritten by a feed.
- The whole feed (file, folder or data package) is one transaction: it is checked first and a
  single wrong field refuses it, with the field's path; then the rows go through the shared
  importer (catalog.importer.run_import), so the summary, dry run and idempotence are the CSV's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from madoguchi.catalog import areas
from madoguchi.catalog.importer import BATCH, ImportReport, Progress, run_import
from madoguchi.catalog.institutions import Resolver
from madoguchi.catalog.models import CatalogEntry, CorporateNumber, ProgramType, Source
from madoguchi.catalog.rows import ParsedRow
from madoguchi.directory.models import (
    BusinessStage,
    Field,
    Organization,
    OrganizationFunction,
    Program,
    SupportFunction,
    name_key,
)
from madoguchi.interop.hsds import PLAN_TITLE, hsds_id
from madoguchi.interop.hsds_read import Feed, FeedRefused, Record, read_feed

DEFAULT_SOURCE = "Open Referral HSDS"
SHOWN_ERRORS = 50
CODE_EXTENTS = {"municipality", "prefecture", "jisx0402", "全国地方公共団体コード"}


def get_hsds_source(name: str) -> Source:
    found = Source.objects.filter(slug=name).first() or Source.objects.filter(name=name).first()
    if found:
        return found
    slug = "hsds" if name == DEFAULT_SOURCE else "hsds-" + hashlib.sha1(name.encode()).hexdigest()[:8]
    return Source.objects.create(
        name=name, slug=slug, kind=Source.Kind.HSDS,
        attribution="出典: Open Referral HSDS 3.0 フィード" if name == DEFAULT_SOURCE else f"出典: {name}（HSDS 3.0 フィード）",
    )


def import_hsds(path: Path, source_name: str = DEFAULT_SOURCE, *, dry_run: bool = False,
                progress: Progress | None = None) -> ImportReport:
    report = ImportReport(source=source_name, dry_run=dry_run, encoding="HSDS 3.0")
    try:
        feed = read_feed(path, max_bytes=settings.PROGRAM_IMPORT_MAX_BYTES)
    except FeedRefused as error:
        report.file_errors.append(str(error))
        return report
    if feed.errors:
        shown = feed.errors[:SHOWN_ERRORS]
        more = len(feed.errors) - len(shown)
        report.file_errors += shown + ([f"ほか {more:,} 件の誤り。"] if more else [])
        report.file_errors.append("HSDS 3.0 のスキーマに合わないため、このフィードからは何も保存していません。")
        return report
    mapper = _Mapper(feed)

    def prepare(_source: Source, resolver: Resolver) -> None:
        mapper.resolve_organizations(resolver)

    def batches() -> Iterator[list[ParsedRow]]:
        rows = [mapper.row(number, path, record) for number, (path, record) in enumerate(feed.services, start=1)]
        for start in range(0, len(rows), BATCH):
            yield rows[start:start + BATCH]

    # The source is made inside the import's transaction, so a dry run leaves none behind.
    return run_import(
        report, lambda: get_hsds_source(source_name), batches(), len(feed.services), set(),
        progress=progress, prepare=prepare, finish=mapper.link_terms,
    )


# ---------------------------------------------------------------- mapping


def _our_terms() -> dict[str, tuple[str, str]]:
    """HSDS taxonomy_term id → (our taxonomy, code), for the terms hsds.py exports."""
    terms = {}
    for taxonomy, codes in (
        ("support_function", SupportFunction.objects.values_list("code", flat=True)),
        ("business_stage", BusinessStage.objects.values_list("code", flat=True)),
        ("field", Field.objects.values_list("code", flat=True)),
        ("program_category", Program.Category.values),
        ("program_type", ProgramType.values),
    ):
        for code in codes:
            terms[hsds_id("taxonomy_term", f"{taxonomy}:{code}")] = (taxonomy, code)
    return terms


def _provenance(record: Record) -> tuple[str | None, dt.date | None]:
    """(出典, 時点) from the record's own "create" metadata, as hsds.provenance writes it; None without one."""
    for meta in record.get("metadata") or []:
        if meta.get("last_action_type") == "create" and not meta.get("field_name"):
            by = str(meta.get("updated_by") or "")
            source = "" if by == "madoguchi" else by.removeprefix(PLAN_TITLE).strip()
            return source[:200], _date(meta.get("last_action_date"))
    return None, None


def _page(record: Record) -> str:
    """Our page of the record, as hsds.page_fact names it; else its url."""
    for meta in record.get("metadata") or []:
        if meta.get("field_name") == "page" and meta.get("replacement_value"):
            return str(meta["replacement_value"])
    return str(record.get("url") or "")


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _moment(day: dt.date, *, end: bool) -> dt.datetime:
    clock = dt.time(23, 59, 59) if end else dt.time(0, 0)
    return timezone.make_aware(dt.datetime.combine(day, clock), timezone.get_default_timezone())


def _corporate_number(record: Record) -> str:
    for ident in record.get("organization_identifiers") or []:
        scheme = str(ident.get("identifier_scheme") or "").upper()
        kind = str(ident.get("identifier_type") or "")
        number = re.sub(r"\D", "", str(ident.get("identifier") or ""))
        if (scheme == "JP-COR" or "法人番号" in kind) and len(number) == 13:
            return number
    return ""


def _our_slug(uri: Any, prefix: str) -> str:
    """The slug in a link to one of our own pages (SITE_URL/<prefix>/<slug>/): our export's `uri`."""
    match = re.fullmatch(re.escape(settings.SITE_URL.rstrip("/")) + rf"(?:/[a-z]{{2}})?/{prefix}/([-\w]+)/?", str(uri or ""))
    return match.group(1) if match else ""


def _area_code(area: Record) -> str | None:
    """A service_area's 全国地方公共団体コード, or None when it names no Japanese local government."""
    for text in (area.get("extent") if area.get("extent_type") in CODE_EXTENTS else None, area.get("uri")):
        if text and re.fullmatch(r"\d{5,6}", str(text)):
            try:
                return areas.normalise_code(str(text))
            except Exception:  # a wrong code is reported by the caller as not understood
                return None
    return _area_names().get(str(area.get("name") or "").strip())


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    """宮城県 / 宮城県仙台市 → code: prefectures by name, municipalities by their full name (names repeat across prefectures)."""
    names = {g.full_name: g.code for g in areas.registry().values()}
    return names | {g.name: g.code for g in areas.registry().values() if g.is_prefecture}


class _Mapper:
    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.org_pks: dict[str, int] = {}
        self.terms = _our_terms()
        self.links: dict[str, dict[str, list[tuple[str, str]]]] = {}  # service id → taxonomy → [(code, value)]

    # -------------------------------------------------------- organizations

    def resolve_organizations(self, resolver: Resolver) -> None:
        by_hsds = {hsds_id("organization", slug): pk for pk, slug in Organization.objects.values_list("pk", "slug")}
        for oid, (_path, record) in self.feed.organizations.items():
            name = str(record.get("name") or "").strip()
            number = _corporate_number(record)
            pk = by_hsds.get(oid) or by_hsds.get(hsds_id("organization", _created_slug(oid)))
            if pk:
                resolver.matched_by_id.add(name)
            elif number and number in resolver.by_number:
                pk = resolver.by_number[number]
                resolver.matched_by_number.add(name or number)
            elif name and name_key(name) in resolver.by_name:
                pk = resolver.by_name[name_key(name)]
                resolver.matched_by_name.add(name)
            else:
                pk = self._create(oid, record, number, resolver)
            self.org_pks[oid] = pk
        for oid, (_path, record) in self.feed.organizations.items():
            parent = self.org_pks.get(str(record.get("parent_organization_id") or ""))
            if parent and parent != self.org_pks[oid] and self.org_pks[oid] in resolver.created_pks:
                Organization.objects.filter(pk=self.org_pks[oid]).update(parent_id=parent)

    def _create(self, oid: str, record: Record, number: str, resolver: Resolver) -> int:
        slug = _our_slug(record.get("uri"), "organizations")
        if not slug or Organization.objects.filter(slug=slug).exists():
            slug = _created_slug(oid)
        source, as_of = _provenance(record)
        location = next(iter(record.get("locations") or []), {}) or {}
        address = next(iter(location.get("addresses") or []), {}) or {}
        phone = next(iter([*(record.get("phones") or []), *(location.get("phones") or [])]), {}) or {}
        sectors = {str(label): value for value, label in Organization.Sector.choices}
        values: dict[str, Any] = {
            "slug": slug, "name": str(record["name"]).strip()[:200] or oid, "kind": Organization.Kind.PARTNER,
            "status": Organization.Status.UNKNOWN, "verified_at": None,
            "name_en": str(record.get("alternate_name") or "")[:200],
            "description": str(record.get("description") or ""),
            "email": str(record.get("email") or "")[:254],
            "url": str(record.get("website") or "") if len(str(record.get("website") or "")) <= 200 else "",
            "sector": sectors.get(str(record.get("legal_status") or ""), ""),
            "address": str(address.get("address_1") or "")[:200],
            "postal_code": str(address.get("postal_code") or "") if re.fullmatch(r"\d{3}-?\d{4}", str(address.get("postal_code") or "")) else "",
            "phone": str(phone.get("number") or "") if re.fullmatch(r"[\d\-()+ ]{6,20}", str(phone.get("number") or "")) else "",
            "source": source if source is not None else f"HSDS の取り込み（{resolver.source_label}）で作成、未確認",
        }
        if as_of:
            values["as_of"] = as_of
        # bulk_create: no post_save, as the CSV importer's institutions (catalog.institutions).
        (organization,) = Organization.objects.bulk_create([Organization(**values)])
        if number:
            CorporateNumber.objects.get_or_create(number=number, defaults={"organization": organization})
            resolver.by_number[number] = organization.pk
        resolver.by_name[name_key(values["name"])] = organization.pk
        resolver.created.append(values["name"])
        resolver.created_pks.append(organization.pk)
        self._link_organization_terms(organization, record)
        return organization.pk

    def _link_organization_terms(self, organization: Organization, record: Record) -> None:
        for taxonomy, code, value in self._attributes(record):
            if taxonomy == "support_function":
                function = SupportFunction.objects.get(code=code)
                derived = value.startswith("推定")
                basis = value.removeprefix("推定").removeprefix(": ") if derived else value
                OrganizationFunction.objects.get_or_create(
                    organization=organization, function=function, defaults={"derived": derived, "basis": basis[:300]})
            elif taxonomy == "business_stage":
                organization.stages.add(BusinessStage.objects.get(code=code))
            elif taxonomy == "field":
                organization.fields.add(Field.objects.get(code=code))

    def _attributes(self, record: Record) -> Iterator[tuple[str, str, str]]:
        for attribute in record.get("attributes") or []:
            term_id = attribute.get("taxonomy_term_id") or (attribute.get("taxonomy_term") or {}).get("id")
            if term_id in self.terms:
                taxonomy, code = self.terms[term_id]
                yield taxonomy, code, str(attribute.get("value") or "")

    # -------------------------------------------------------- services

    def row(self, number: int, path: str, record: Record) -> ParsedRow:
        sid = str(record["id"])
        row = ParsedRow(number, external_id=sid)
        name = str(record["name"]).strip()
        if len(name) > 200:
            row.errors.append(f"{path}.name: 200文字以内にしてください。")
        if not name:
            row.errors.append(f"{path}.name: 名称が空です。")
        row.program["name"] = name[:200]
        for key, target in (("description", "description"), ("eligibility_description", "eligibility")):
            if record.get(key):
                row.program[target] = str(record[key]).strip()
        url = str(record.get("url") or "")
        if url:
            if len(url) > 200:
                row.errors.append(f"{path}.url: 200文字以内にしてください。")
            row.program["url"] = url
        if _date(record.get("assured_date")):
            row.program["verified_at"] = _date(record.get("assured_date"))
        source, as_of = _provenance(record)
        if source is not None:
            row.program["source"] = source
        if as_of:
            row.program["as_of"] = as_of
        slug = _our_slug(_page(record), "programs")
        if slug and not Program.objects.filter(slug=slug).exists():
            row.slug = slug
        oid = str(record.get("organization_id") or "")
        if oid:
            if oid not in self.org_pks:
                row.errors.append(f"{path}.organization_id: 「{oid}」の organization がこのフィードにありません。")
            else:
                row.organization_id = self.org_pks[oid]
        self._round(row, record)
        codes = [code for code in (_area_code(a) for a in record.get("service_areas") or []) if code]
        if codes:
            row.entry["area_codes"] = " ".join(dict.fromkeys(codes))
        links: dict[str, list[tuple[str, str]]] = {}
        for taxonomy, code, value in self._attributes(record):
            if taxonomy == "program_category":
                row.program["category"] = code
            elif taxonomy == "program_type":
                row.entry["type"] = code
            else:
                links.setdefault(taxonomy, []).append((code, value))
        for taxonomy, basis_field in (("support_function", "function_basis"), ("business_stage", "stage_basis")):
            values = [value for _code, value in links.get(taxonomy, []) if value]
            if values:
                row.program[basis_field] = values[0][:300]
        if links:
            self.links[sid] = links
        return row

    def _round(self, row: ParsedRow, record: Record) -> None:
        windows = []
        for schedule in record.get("schedules") or []:
            if "通年" in str(schedule.get("description") or ""):
                row.has_round = row.year_round = True
                return
            opens, closes = _date(schedule.get("valid_from")), _date(schedule.get("valid_to"))
            if opens or closes:
                windows.append((closes or dt.date.max, opens, closes))
        if not windows:
            return
        _key, opens, closes = max(windows, key=lambda w: (w[0], w[1] or dt.date.min))
        if opens and closes and closes < opens:
            row.errors.append("schedules: valid_to が valid_from より前です。")
            return
        row.has_round = True
        row.opens_at = _moment(opens, end=False) if opens else None
        row.closes_at = _moment(closes, end=True) if closes else None

    def link_terms(self, source: Source) -> None:
        """Our taxonomies' terms a service carries → the program's functions, stages and fields."""
        if not self.links:
            return
        programs = dict(
            CatalogEntry.objects.filter(source=source, external_id__in=list(self.links)).values_list("external_id", "program_id")
        )
        models: dict[str, type[SupportFunction] | type[BusinessStage] | type[Field]] = {
            "support_function": SupportFunction, "business_stage": BusinessStage, "field": Field}
        relations = {"support_function": "functions", "business_stage": "stages", "field": "fields"}
        ids = {t: dict(m.objects.values_list("code", "pk")) for t, m in models.items()}
        for sid, links in self.links.items():
            program = Program(pk=programs[sid])
            for taxonomy, pairs in links.items():
                getattr(program, relations[taxonomy]).set([ids[taxonomy][code] for code, _value in pairs])


def _created_slug(oid: str) -> str:
    return "hsds-" + hashlib.sha1(oid.encode()).hexdigest()[:16]
