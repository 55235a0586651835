"""Write the 2005 plan into the database: idempotent, in one transaction, plan fields only.

Records are matched by a stable key (plan_key, code, slug, or organization + label) and a row
is saved only when one of the plan's fields differs, so a second load writes nothing and adds
no change-history rows. Fields staff keep (current_*, status, url, email, kana, and relations
they added) are never written here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

from django.db import DatabaseError, models, transaction
from simple_history.utils import bulk_create_with_history

from madoguchi.directory.models import (
    PLAN_AS_OF,
    Area,
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
from madoguchi.interop.derive import (
    DATA_DIR,
    OrgSpec,
    ProgramSpec,
    build_core_programs,
    build_organizations,
    build_section21_programs,
    read_csv,
)
from madoguchi.interop.plan import Plan, PlanError, parse_plan

M = TypeVar("M", bound=models.Model)
# (lookup, plan values, create-only values) of one row for _Writer.upsert_many
Item = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

# What the report calls each model, in the order the loader writes them.
MODEL_LABELS = {
    "SupportFunction": "支援機能",
    "BusinessStage": "事業段階",
    "Field": "分野",
    "Municipality": "市区町村",
    "Area": "地域",
    "Organization": "支援機関・関係機関",
    "AddedOrganization": "編集部による追加の機関（計画の表に無い）",
    "OrganizationProfile": "機関の概要（編集部による補足）",
    "OrganizationFunction": "支援機能の提供",
    "Location": "所在地",
    "Program": "支援事業",
    "Facility": "施設",
}

_WARD = re.compile(r"^(?:宮城県)?仙台市(青葉区|宮城野区|若林区|太白区|泉区)")


@dataclass
class LoadReport:
    """Counts per model of what the load created, updated and left unchanged, and its notes."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, model: str, status: str) -> None:
        bucket = self.counts.setdefault(model, {CREATED: 0, UPDATED: 0, UNCHANGED: 0})
        bucket[status] += 1

    def total(self, status: str) -> int:
        return sum(c[status] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return bool(self.total(CREATED) or self.total(UPDATED))

    def line(self, model: str) -> str:
        c = self.counts.get(model, {CREATED: 0, UPDATED: 0, UNCHANGED: 0})
        return f"{MODEL_LABELS[model]}: 作成 {c[CREATED]}・更新 {c[UPDATED]}・変更なし {c[UNCHANGED]}"

    def summary(self) -> str:
        if not self.changed:
            return f"変更はありません（作成 0・更新 0・変更なし {self.total(UNCHANGED)}）"
        return (
            f"計画を読み込みました（作成 {self.total(CREATED)}・更新 {self.total(UPDATED)}・"
            f"変更なし {self.total(UNCHANGED)}）"
        )


class _Writer:
    def __init__(self, report: LoadReport, out: TextIO | io.TextIOBase | None) -> None:
        self.report = report
        self.out = out
        # Existing rows per (model, lookup fields), read once: one query per model instead of per row.
        self._rows: dict[tuple[type[models.Model], tuple[str, ...]], dict[tuple[Any, ...], Any]] = {}

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text + "\n")
            self.out.flush()

    def step_done(self, model: str) -> None:
        self.say(self.report.line(model))

    def _existing(self, model: type[M], lookup: dict[str, Any]) -> tuple[dict[tuple[Any, ...], M], tuple[Any, ...]]:
        names = tuple(sorted(lookup))
        # lookups name concrete fields (get_field also answers reverse relations, which have no attname)
        attnames = tuple(cast("models.Field[Any, Any]", model._meta.get_field(n)).attname for n in names)
        key = tuple(v.pk if isinstance(v, models.Model) else v for _, v in sorted(lookup.items()))
        if (model, names) not in self._rows:
            self._rows[(model, names)] = {
                tuple(getattr(obj, a) for a in attnames): obj for obj in model._default_manager.order_by()
            }
        return self._rows[(model, names)], key

    def upsert_many(self, model: type[M], items: list[Item],
                    counted_as: str | None = None) -> list[tuple[M, str]]:
        """For each (lookup, plan values, create-only values): create the row, or save only the plan
        fields that differ (one history row at most). New rows are inserted in one batch.
        The report counts them under `counted_as` (a MODEL_LABELS key), else the model's name."""
        results: list[tuple[M, str]] = []
        new: list[tuple[dict[tuple[Any, ...], M], tuple[Any, ...], M]] = []
        for lookup, values, create_only in items:
            rows, key = self._existing(model, lookup)
            obj = rows.get(key)
            if obj is None:
                obj = model(**lookup, **values, **create_only)
                new.append((rows, key, obj))
                status = CREATED
            else:
                changed = [name for name, value in values.items() if getattr(obj, name) != value]
                if changed:
                    for name in changed:
                        setattr(obj, name, values[name])
                    obj.save(update_fields=changed)
                    status = UPDATED
                else:
                    status = UNCHANGED
            self.report.count(counted_as or model.__name__, status)
            results.append((obj, status))
        if new:
            objs = [obj for _rows, _key, obj in new]
            if hasattr(model, "history"):
                bulk_create_with_history(objs, model)
            else:
                model._default_manager.bulk_create(objs)
            for rows, key, obj in new:
                rows[key] = obj
        return results

    def upsert(self, model: type[M], lookup: dict[str, Any], values: dict[str, Any],
               create_only: dict[str, Any] | None = None) -> tuple[M, str]:
        return self.upsert_many(model, [(lookup, values, create_only or {})])[0]

    def add_missing(self, obj: models.Model, relation: str, wanted: Iterable[models.Model], status: str,
                    have: set[int] | None = None) -> None:
        """Add plan relations that are missing; never remove one (staff may have added it)."""
        manager = getattr(obj, relation)
        if have is None:
            have = set(manager.values_list("pk", flat=True))
        missing = list({o.pk: o for o in wanted if o.pk not in have}.values())
        if missing:
            manager.add(*missing)
            if status == UNCHANGED:
                counts = self.report.counts[type(obj).__name__]
                counts[UNCHANGED] -= 1
                counts[UPDATED] += 1


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


PROFILES_FILE = DATA_DIR / "organization_profiles.csv"
PROFILE_COLUMNS = ("slug", "profile", "profile_en", "source", "as_of")


def read_profiles(path: Path, slugs: set[str]) -> dict[str, dict[str, Any]]:
    """The curated profiles by slug, as Organization field values; PlanError names the bad row.

    Checked in full before anything is written, so a bad row never leaves half a load behind.
    Row numbers are the file's line numbers (the header is line 1), as an editor shows them.
    """
    name = path.name
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in PROFILE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise PlanError(f"{name} に列「{'」「'.join(missing)}」がありません")
            rows = [(n, {k: (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, start=2)]
    except FileNotFoundError as exc:
        raise PlanError(f"データファイル {name} が見つかりません") from exc
    profiles: dict[str, dict[str, Any]] = {}
    for n, row in rows:
        where = f"{name} の {n} 行目"
        slug = row["slug"]
        if slug not in slugs:
            raise PlanError(f"{where}: スラッグ「{slug}」の機関は計画にありません（organizations_en.csv のスラッグを使ってください）")
        if slug in profiles:
            raise PlanError(f"{where}: スラッグ「{slug}」の概要が2度目です")
        if not row["profile"] or not row["source"]:
            raise PlanError(f"{where}: 概要（profile）と出典（source）は空にできません")
        try:
            as_of = dt.date.fromisoformat(row["as_of"])
        except ValueError as exc:
            raise PlanError(f"{where}: 時点「{row['as_of']}」は YYYY-MM-DD 形式の日付ではありません") from exc
        profiles[slug] = {
            "profile": row["profile"], "profile_en": row["profile_en"],
            "profile_source": row["source"], "profile_as_of": as_of,
        }
    return profiles


def load_plan(path: Path, *, stdout: TextIO | io.TextIOBase | None = None, progress: bool = False,
              profiles_path: Path = PROFILES_FILE) -> LoadReport:
    """Load the plan at `path` into the database in one transaction; raise PlanError on any problem.

    The curated profiles of `profiles_path` (organization_profiles.csv) are written with it.

    One line per step (with counts) goes to `stdout` when given; with progress=True and no
    stdout, to sys.stdout. The report says what was created, updated and left unchanged.
    """
    out = (stdout or sys.stdout) if progress else stdout
    report = LoadReport()
    writer = _Writer(report, out)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PlanError(f"計画のファイル {path} が見つかりません") from exc
    except UnicodeDecodeError as exc:
        raise PlanError(f"計画のファイル {path} を UTF-8 として読めません") from exc
    writer.say(f"計画を読んでいます: {path}")
    plan = parse_plan(text)
    specs = build_organizations(plan)
    core_programs = build_core_programs(plan)
    other_programs = build_section21_programs(plan, specs)
    writer.say(
        f"読み取り: 表2 {len(plan.table2)} 項目・機関 {len(specs)}・中核的支援機関の支援事業 {len(core_programs)}・"
        f"二-1 の支援事業 {len(other_programs)}・施設 {len(plan.facilities)}"
    )
    profiles = read_profiles(Path(profiles_path), {spec.slug for spec in specs})
    for skipped in plan.skipped:
        note = f"連携機関の「{skipped}」は個別の団体ではないため読み込みません"
        report.notes.append(note)
        writer.say(note)
    try:
        with transaction.atomic():
            functions = _load_reference(writer, plan)
            municipalities = _load_municipalities(writer)
            _load_area(writer, plan, municipalities)
            orgs = _load_organizations(writer, specs, functions, municipalities, profiles)
            _load_added_bodies(writer, municipalities)
            stages = {stage.code: stage for stage in BusinessStage.objects.all()}
            _load_programs(writer, orgs, core_programs + other_programs, functions, stages)
            _load_facilities(writer, plan, orgs, specs, municipalities)
    except DatabaseError as exc:
        # e.g. a unique slug or code another record took meanwhile; the transaction was rolled back.
        raise PlanError(f"データベースへの書き込みに失敗しました（{exc.__class__.__name__}: {exc}）") from exc
    writer.say(report.summary())
    return report


def _load_reference(w: _Writer, plan: Plan) -> dict[str, SupportFunction]:
    done = w.upsert_many(SupportFunction, [({"code": row["code"]}, {
        "name": row["name"], "short_name": row["short_name"], "name_en": row["name_en"],
        "order": int(row["order"]), "description": row["description"], "source": row["source"],
        "as_of": PLAN_AS_OF,
    }, {}) for row in read_csv("support_functions.csv")])
    functions = {obj.code: obj for obj, _ in done}
    w.step_done("SupportFunction")
    w.upsert_many(BusinessStage, [({"code": row["code"]}, {
        "name": row["name"], "name_en": row["name_en"], "order": int(row["order"]),
        "description": row["description"], "source": row["source"], "as_of": PLAN_AS_OF,
    }, {}) for row in read_csv("business_stages.csv")])
    w.step_done("BusinessStage")
    field_rows = read_csv("fields.csv")
    strategic = [r["name"] for r in field_rows if r["strategic"] == "true"]
    if strategic != plan.strategic_fields:
        raise PlanError(
            f"一-2(3) の戦略分野「{'・'.join(plan.strategic_fields)}」が fields.csv（{'・'.join(strategic)}）と一致しません"
        )
    w.upsert_many(Field, [({"code": row["code"]}, {
        "name": row["name"], "name_en": row["name_en"], "strategic": row["strategic"] == "true",
        "order": int(row["order"]), "source": row["source"], "as_of": PLAN_AS_OF,
    }, {}) for row in field_rows])
    w.step_done("Field")
    return functions


def _load_municipalities(w: _Writer) -> dict[str, Municipality]:
    """Miyagi's municipalities, by code and by name.

    Rows without a parent or successor go in first, so the others can point at them.
    """
    rows = read_csv("municipalities.csv")
    plain = {r["code"] for r in rows if not r["parent_code"] and not r["successor_code"]}
    by_code: dict[str, Municipality] = {}
    for batch in ([r for r in rows if r["code"] in plain], [r for r in rows if r["code"] not in plain]):
        items: list[Item] = []
        for row in batch:
            links: dict[str, int | None] = {}
            for attr, col in (("parent_id", "parent_code"), ("successor_id", "successor_code")):
                if row[col] and row[col] not in by_code:
                    raise PlanError(
                        f"municipalities.csv の{row['name']}の {col}「{row[col]}」は親・承継先を持たない団体のコードにしてください"
                    )
                links[attr] = by_code[row[col]].pk if row[col] else None
            items.append(({"code": row["code"]}, {
                "name": row["name"], "kana": row["kana"], "name_en": row["name_en"], "kind": row["kind"],
                "valid_from": _date(row["valid_from"]), "valid_to": _date(row["valid_to"]),
                "history_note": row["note"], "source": row["source"],
                "as_of": _date(row["as_of"]) or PLAN_AS_OF, **links,
            }, {}))
        for obj, _ in w.upsert_many(Municipality, items):
            by_code[obj.code] = obj
    w.step_done("Municipality")
    by_name = {m.name: m for m in by_code.values()}
    return {**by_code, **by_name}


def municipality_of(address: str, municipalities: dict[str, Municipality]) -> Municipality | None:
    """仙台市青葉区… → the ward 青葉区; otherwise the municipality the address starts with."""
    m = _WARD.match(address)
    if m:
        return municipalities.get(m.group(1))
    text = address.removeprefix("宮城県")
    names = sorted((n for n in municipalities if not n.isdigit()), key=len, reverse=True)
    return next((municipalities[n] for n in names if text.startswith(n)), None)


def _load_area(w: _Writer, plan: Plan, municipalities: dict[str, Municipality]) -> None:
    for row in read_csv("areas.csv"):
        wanted: list[Municipality] = []
        for name in plan.area.municipalities:
            if name not in municipalities:
                raise PlanError(f"三-1 の構成市町村「{name}」が municipalities.csv にありません")
            m = municipalities[name]
            wanted.append(m)
            # 仙台市 includes its wards; 富谷町 (2005) is 富谷市 today: both belong to the area.
            wanted.extend(ward for ward in municipalities.values() if ward.parent_id == m.pk)
            if m.successor_id:
                wanted.append(next(new for new in municipalities.values() if new.pk == m.successor_id))
        if int(row["area_km2"]) != plan.area.area_km2:
            raise PlanError(f"三-1 の面積（約{plan.area.area_km2}k㎡）が areas.csv（{row['area_km2']}）と一致しません")
        description = plan.area.description + "\n\n" + row["summary"]
        obj, status = w.upsert(Area, {"slug": row["slug"]}, {
            "name": row["name"], "designation": row["designation"], "area_km2": plan.area.area_km2,
            "description": description, "source": row["source"], "as_of": PLAN_AS_OF,
        })
        w.add_missing(obj, "municipalities", wanted, status)
    w.step_done("Area")


def _load_organizations(w: _Writer, specs: list[OrgSpec], functions: dict[str, SupportFunction],
                        municipalities: dict[str, Municipality],
                        profiles: dict[str, dict[str, Any]]) -> dict[str, Organization]:
    orgs: dict[str, Organization] = {}
    created: dict[str, bool] = {}
    slugs = {slug: (key, name) for slug, key, name in Organization.objects.values_list("slug", "plan_key", "name")}
    for spec in specs:
        taken = slugs.get(spec.slug)
        if taken is not None and taken[0] != spec.plan_key:
            raise PlanError(
                f"スラッグ「{spec.slug}」は別の機関「{taken[1]}」が使っているため「{spec.name}」を登録できません"
            )
    # Parents are written before their members (the plan nests one level: 表2's entries, 東北大学).
    pending = list(specs)
    while pending:
        batch = [s for s in pending if not s.parent_key or s.parent_key in orgs]
        if not batch:
            raise PlanError(f"上位団体が見つからない機関があります: {pending[0].name}")
        items = []
        for spec in batch:
            municipality = municipality_of(spec.address, municipalities) if spec.address else None
            items.append(({"plan_key": spec.plan_key}, {
                "name": spec.name, "name_en": spec.name_en, "kind": spec.kind, "sector": spec.sector,
                "parent_id": orgs[spec.parent_key].pk if spec.parent_key else None,
                "plan_number": spec.plan_number, "plan_order": spec.plan_order, "address": spec.address,
                "phone": spec.phone, "municipality_id": municipality.pk if municipality else None,
                "main_functions_text": spec.main_functions_text, "description": spec.description,
                "source": spec.source, "source_refs": spec.source_refs, "aliases": spec.aliases,
                "as_of": PLAN_AS_OF,
            }, {"slug": spec.slug, **profiles.get(spec.slug, {})}))
        for spec, (obj, status) in zip(batch, w.upsert_many(Organization, items), strict=True):
            orgs[spec.plan_key] = obj
            created[spec.slug] = status == CREATED
        pending = [s for s in pending if s.plan_key not in orgs]
    w.step_done("Organization")
    _load_profiles(w, {spec.slug: orgs[spec.plan_key] for spec in specs}, profiles, created)

    code_of = {f.pk: code for code, f in functions.items()}
    links: dict[int, dict[str, OrganizationFunction]] = {}
    for link in OrganizationFunction.objects.order_by():
        links.setdefault(link.organization_id, {})[code_of[link.function_id]] = link
    link_items: list[Item] = []
    for spec in specs:
        org = orgs[spec.plan_key]
        existing = links.get(org.pk, {})
        for code in spec.functions:
            existing_link = existing.get(code)
            if existing_link is not None and not existing_link.derived:
                # Staff confirmed this function themselves; their record stands.
                w.report.count("OrganizationFunction", UNCHANGED)
                continue
            link_items.append(({"organization": org, "function": functions[code]},
                               {"derived": True, "basis": spec.basis(code)}, {}))
        stale = [link.pk for code, link in existing.items() if link.derived and code not in spec.functions]
        if stale:
            OrganizationFunction.objects.filter(pk__in=stale).delete()
            for _ in stale:
                w.report.count("OrganizationFunction", UPDATED)
    w.upsert_many(OrganizationFunction, link_items)
    w.step_done("OrganizationFunction")

    location_items: list[Item] = []
    for spec in specs:
        for order, (label, address, phone) in enumerate(spec.locations):
            municipality = municipality_of(address, municipalities)
            location_items.append(({"organization": orgs[spec.plan_key], "label": label}, {
                "address": address, "phone": phone, "order": order,
                "municipality_id": municipality.pk if municipality else None,
                "source": spec.source, "as_of": PLAN_AS_OF,
            }, {}))
    w.upsert_many(Location, location_items)
    w.step_done("Location")
    return orgs


ADDED_KEY_PREFIX = "editors:"  # plan_key of bodies the editors added (added_bodies.csv)


def _load_added_bodies(w: _Writer, municipalities: dict[str, Municipality]) -> None:
    """Bodies the plan's tables do not list but the platform needs (宮城県 経済商工観光部, where
    the prefecture's officers belong): added_bodies.csv, whose `source` and `as_of` say the
    editors added them, so nobody mistakes them for the plan's."""
    rows = read_csv("added_bodies.csv")
    kinds = set(Organization.Kind.values)
    items = []
    for line, row in enumerate(rows, start=2):
        if row["kind"] not in kinds:
            raise PlanError(f"added_bodies.csv {line} 行目: 種別「{row['kind']}」は登録できる種別ではありません")
        as_of = _date(row["as_of"])
        if as_of is None or not row["source"]:
            raise PlanError(f"added_bodies.csv {line} 行目: 出典（source）と時点（as_of, YYYY-MM-DD）を入れてください")
        municipality = municipality_of(row["address"], municipalities) if row["address"] else None
        items.append(({"plan_key": ADDED_KEY_PREFIX + row["slug"]}, {
            "name": row["name"], "name_en": row["name_en"], "kind": row["kind"], "sector": row["sector"],
            "address": row["address"], "phone": row["phone"], "description": row["description"],
            "municipality_id": municipality.pk if municipality else None,
            "source": row["source"], "as_of": as_of,
        }, {"slug": row["slug"], "kana": row["kana"], "url": row["url"]}))
    # Counted apart from the plan's bodies: the report says how many the plan itself holds.
    w.upsert_many(Organization, items, counted_as="AddedOrganization")
    w.step_done("AddedOrganization")


def _load_profiles(w: _Writer, by_slug: dict[str, Organization], profiles: dict[str, dict[str, Any]],
                   created: dict[str, bool]) -> None:
    """Fill the curated profiles of bodies that existed before this load (new ones got theirs
    when created). A profile whose source staff changed is theirs now, and stays as they wrote it."""
    for slug, values in profiles.items():
        org = by_slug[slug]
        if created[slug]:
            w.report.count("OrganizationProfile", CREATED)
            continue
        if org.profile_source not in ("", values["profile_source"]):
            w.report.count("OrganizationProfile", UNCHANGED)
            continue
        changed = [name for name, value in values.items() if getattr(org, name) != value]
        for name in changed:
            setattr(org, name, values[name])
        if changed:
            org.save(update_fields=changed)
        w.report.count("OrganizationProfile", UPDATED if changed else UNCHANGED)
    w.step_done("OrganizationProfile")


def _load_programs(w: _Writer, orgs: dict[str, Organization], programs: list[ProgramSpec],
                   functions: dict[str, SupportFunction], stages: dict[str, BusinessStage]) -> None:
    done = w.upsert_many(Program, [({"plan_key": spec.plan_key}, {
        "organization_id": orgs[spec.org_key].pk, "name": spec.name, "category": spec.category,
        "description": spec.description, "function_basis": spec.function_basis, "order": spec.order,
        "stage_basis": spec.stage_basis,
        "source": spec.source, "as_of": PLAN_AS_OF,
    }, {"slug": spec.slug}) for spec in programs])
    # Functions and stages are only added, never removed: staff may have added some.
    bumped: set[int] = set()
    counts = w.report.counts["Program"]
    for relation, column, wanted_of, targets in (
        (Program.functions, "supportfunction_id", lambda spec: spec.functions, functions),
        (Program.stages, "businessstage_id", lambda spec: spec.stages, stages),
    ):
        through: type[models.Model] = relation.through  # Program_functions or Program_stages
        have = set(through._default_manager.values_list("program_id", column))
        missing = []
        for spec, (obj, status) in zip(programs, done, strict=True):
            pairs = [(obj.pk, targets[c].pk) for c in wanted_of(spec) if (obj.pk, targets[c].pk) not in have]
            missing += pairs
            if pairs and status == UNCHANGED and obj.pk not in bumped:
                bumped.add(obj.pk)
                counts[UNCHANGED] -= 1
                counts[UPDATED] += 1
        through._default_manager.bulk_create([through(**{"program_id": p, column: t}) for p, t in missing])
    w.step_done("Program")


def _load_facilities(w: _Writer, plan: Plan, orgs: dict[str, Organization], specs: list[OrgSpec],
                     municipalities: dict[str, Municipality]) -> None:
    """表1's right column, described by facilities.csv (kind, operator where the plan says it)."""
    rows = {r["name"]: r for r in read_csv("facilities.csv")}
    by_name = {s.name: orgs[s.plan_key] for s in specs}
    items = []
    for name in plan.facilities:
        row = rows.get(name)
        if row is None:
            raise PlanError(f"表1 の施設「{name}」が facilities.csv にありません")
        values: dict[str, Any] = {
            "name": name, "kind": row["kind"], "description": row["note"],
            "source": "表1 インキュベーション・研究開発施設", "as_of": PLAN_AS_OF,
        }
        # Operator and address only where the plan gives them, so staff may fill in the others.
        if row["operator"]:
            if row["operator"] not in by_name:
                raise PlanError(f"facilities.csv の運営機関「{row['operator']}」が計画の機関にありません")
            values["operator_id"] = by_name[row["operator"]].pk
            values["operator_basis"] = row["operator_basis"]
        if row["address"]:
            municipality = municipality_of(row["address"], municipalities)
            values["address"] = row["address"]
            values["municipality_id"] = municipality.pk if municipality else None
        items.append(({"plan_key": f"f-{row['slug']}"}, values, {"slug": row["slug"]}))
    w.upsert_many(Facility, items)
    extra = [name for name in rows if name not in plan.facilities]
    if extra:
        raise PlanError(f"facilities.csv の「{'」「'.join(extra)}」が 表1 の施設にありません")
    w.step_done("Facility")
