"""Bulk import of 技術シーズ, 特許 and 受注可能な技術 from CSV with Japanese headers.

- Encoding: UTF-8 (with or without BOM), else Shift_JIS (cp932, what Excel writes in Japan).
- One transaction per file: if any row has an error nothing is saved, and every error is
  reported with its row number (the header is row 1, as a spreadsheet shows it).
- A dry run checks and reports exactly as a real run, then rolls back.
- Idempotent: rows are keyed by (owner, 外部キー); a second import of the same file creates
  nothing and changes nothing, and says so.
- Limits first: the file's size and row count are checked before any row is validated
  (lib/importing.py); rows are then read one at a time and saved a batch at a time
  (bulk_create, one executemany UPDATE, history rows copied by the database), all inside the one transaction.
- A changed row of a published listing is an edit (moderation.save_edit): its public content
  goes back to review unless the import is a coordinator's (--publish).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.directory.models import BusinessStage, Field, Municipality, Organization
from madoguchi.lib.bulk import copy_to_history, insert_links, update_rows
from madoguchi.lib.importing import CsvFile, FileRefused, Limits, Source, SourceRow, batched
from madoguchi.matching import moderation, signals
from madoguchi.matching.models import Kind, Listing, TechArea
from madoguchi.platform.text import clean

MAX_ROWS = 20_000
LIMITS = Limits(max_rows=MAX_ROWS)
IMPORTABLE_KINDS = {Kind.SEED, Kind.PATENT, Kind.SUPPLIER}

# header → model attribute; the first column set is required
REQUIRED = {"外部キー": "external_key", "種別": "kind", "名称": "title"}
OPTIONAL = {
    "概要": "description", "分野": "fields", "技術領域": "tech_area", "段階": "stages",
    "特許番号": "patent_number", "状態": "patent_status", "工程": "processes", "設備": "equipment",
    "認証": "certifications", "所在地": "municipality", "公開範囲": "visibility", "掲載期限": "expires_on",
    "連絡先メール": "contact_email", "掲載者名": "owner_name", "材質": "material",
}
LIST_COLUMNS = {"processes", "equipment", "certifications"}
KIND_WORDS = {
    "技術シーズ": Kind.SEED, "シーズ": Kind.SEED, "seed": Kind.SEED,
    "ライセンス可能な特許": Kind.PATENT, "特許": Kind.PATENT, "patent": Kind.PATENT,
    "受注可能な技術": Kind.SUPPLIER, "受注": Kind.SUPPLIER, "supplier": Kind.SUPPLIER,
}
VISIBILITY_WORDS = {str(label): value for value, label in Listing.Visibility.choices} | {
    v: v for v in Listing.Visibility.values} | {"公開": "public", "会員": "members", "匿名": "anonymous"}


@dataclass
class RowResult:
    row: int
    external_key: str
    action: str  # created / updated / unchanged / error
    errors: list[str] = field(default_factory=list)
    withdrawn: bool = False  # a published listing whose change went back to review


@dataclass
class ImportReport:
    encoding: str = ""
    dry_run: bool = False
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    saved: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def ok(self) -> bool:
        return not self.file_errors and self.count("error") == 0

    def summary(self) -> str:
        parts = _("作成 %(c)d 件、更新 %(u)d 件、変更なし %(n)d 件、エラー %(e)d 件") % {
            "c": self.count("created"), "u": self.count("updated"), "n": self.count("unchanged"), "e": self.count("error")}
        if self.file_errors:
            return _("取り込めませんでした: %(e)s") % {"e": " ".join(self.file_errors)}
        if not self.ok:
            return parts + _("。エラーがあるため、何も保存していません。")
        if self.dry_run:
            return parts + _("（試行のため保存していません）。")
        if self.count("created") == 0 and self.count("updated") == 0:
            return parts + _("。すでに取り込み済みで、変更はありませんでした。")
        withdrawn = sum(1 for r in self.rows if r.withdrawn)
        if withdrawn:
            return parts + _("。内容が変わった公開中の掲載 %(n)d 件は審査待ちに戻しました（コーディネーターの審査後に再公開されます）。") % {
                "n": withdrawn}
        return parts + "。"


def _nfkc(value: str) -> str:
    return clean(value)


def _split(value: str) -> list[str]:
    text = value
    for sep in ("、", "，", ",", "・", "/", "／", "\n"):
        text = text.replace(sep, ";")
    return [x.strip() for x in text.split(";") if x.strip()]


class _Lookups:
    def __init__(self) -> None:
        self.fields = {f.name: f for f in Field.objects.all()} | {f.code: f for f in Field.objects.all()}
        self.stages = {s.name: s for s in BusinessStage.objects.all()} | {s.code: s for s in BusinessStage.objects.all()}
        munis = list(Municipality.objects.filter(valid_to__isnull=True))
        self.munis = {m.name: m for m in munis} | {m.code: m for m in munis}
        self.tech = {str(label): value for value, label in TechArea.choices} | {v: v for v in TechArea.values}


def _parse_row(raw: dict[str, str], lk: _Lookups) -> tuple[dict[str, Any], list[str]]:
    """Return (values for the listing, errors) for one CSV row."""
    errors: list[str] = []
    v: dict[str, Any] = {}

    def get(h: str) -> str:
        return (raw.get(h) or "").strip()

    v["external_key"] = _nfkc(get("外部キー"))
    if not v["external_key"]:
        errors.append(_("外部キーが空です。"))
    elif len(v["external_key"]) > 100:
        errors.append(_("外部キーは100文字以内にしてください。"))
    kind = KIND_WORDS.get(_nfkc(get("種別")))
    if kind is None:
        errors.append(_("種別「%(v)s」は取り込めません。技術シーズ・ライセンス可能な特許・受注可能な技術のいずれかにしてください。") % {"v": get("種別")})
    v["kind"] = kind
    v["title"] = get("名称")
    if not v["title"]:
        errors.append(_("名称が空です。"))
    elif len(v["title"]) > 200:
        errors.append(_("名称は200文字以内にしてください。"))
    v["description"] = get("概要")
    v["patent_number"] = _nfkc(get("特許番号"))
    v["patent_status"] = get("状態")
    v["material"] = get("材質")
    v["owner_name"] = get("掲載者名")
    v["contact_email"] = get("連絡先メール")
    if kind == Kind.PATENT and not v["patent_number"]:
        errors.append(_("特許の行には特許番号が必要です。"))
    for col in LIST_COLUMNS:
        header = next(h for h, a in OPTIONAL.items() if a == col)
        v[col] = _split(get(header))
    v["fields"] = []
    for name in _split(get("分野")):
        f = lk.fields.get(_nfkc(name)) or lk.fields.get(name)
        if f is None:
            errors.append(_("分野「%(v)s」は登録されていません（例: IT、ものづくり、食）。") % {"v": name})
        else:
            v["fields"].append(f)
    v["stages"] = []
    for name in _split(get("段階")):
        s = lk.stages.get(name)
        if s is None:
            errors.append(_("段階「%(v)s」は登録されていません（例: 創業期、成長期）。") % {"v": name})
        else:
            v["stages"].append(s)
    tech = get("技術領域")
    v["tech_area"] = ""
    if tech:
        v["tech_area"] = lk.tech.get(tech, "")
        if not v["tech_area"]:
            errors.append(_("技術領域「%(v)s」は選択肢にありません（例: 半導体・電子デバイス、機械・加工）。") % {"v": tech})
    place = _nfkc(get("所在地"))
    v["municipality"] = None
    if place:
        v["municipality"] = lk.munis.get(place)
        if v["municipality"] is None:
            errors.append(_("所在地「%(v)s」は市区町村として見つかりません（例: 仙台市青葉区は「青葉区」、団体コードも可）。") % {"v": place})
    vis = get("公開範囲")
    v["visibility"] = VISIBILITY_WORDS.get(vis, "public" if not vis else "")
    if not v["visibility"]:
        errors.append(_("公開範囲「%(v)s」は「一般公開」「プラットフォーム会員のみ」「紹介まで匿名」のいずれかにしてください。") % {"v": vis})
    exp = _nfkc(get("掲載期限"))
    v["expires_on"] = None
    if exp:
        try:
            v["expires_on"] = dt.date.fromisoformat(exp.replace("/", "-"))
        except ValueError:
            errors.append(_("掲載期限「%(v)s」は日付（例: 2026-03-31）で書いてください。") % {"v": exp})
    return v, errors


def _differs(listing: Listing, values: dict[str, Any]) -> bool:
    for attr, value in values.items():
        if attr in ("fields", "stages"):
            if {x.pk for x in getattr(listing, attr).all()} != {x.pk for x in value}:
                return True
        elif attr == "expires_on" and value is None:
            continue  # an absent 掲載期限 keeps the current one
        elif getattr(listing, attr) != value:
            return True
    return False


def import_csv(data: Source, *, owner: Organization, dry_run: bool = False, publish: bool = False,
               limits: Limits = LIMITS) -> ImportReport:
    """Import one file (bytes, a path or a binary file) for one owner; see the module docstring."""
    report = ImportReport(dry_run=dry_run)
    with CsvFile(data, limits) as source:
        try:
            source.open()
        except FileRefused as exc:
            report.encoding = source.encoding
            report.file_errors.append(exc.message)
            return report
        report.encoding = source.encoding
        headers = source.headers
        missing = [h for h in REQUIRED if h not in headers]
        if missing:
            report.file_errors.append(_("必須の列がありません: %(h)s（1行目に見出しが必要です）。") % {"h": "、".join(missing)})
            return report
        unknown = [h for h in headers if h and h not in REQUIRED and h not in OPTIONAL]
        if unknown:
            report.file_errors.append(_("知らない列があります: %(h)s。使える列: %(ok)s。") % {
                "h": "、".join(unknown), "ok": "、".join([*REQUIRED, *OPTIONAL])})
            return report
        if source.row_count == 0:
            report.file_errors.append(_("データ行がありません（見出しの行だけです）。2 行目から 1 行に 1 件を書いてください。"))
            return report
        writer = _BatchWriter(owner, publish=publish)
        with signals.suspended(), transaction.atomic():
            for batch in batched(source.rows(), limits.batch_size):
                rows = _check_batch(batch, writer, report)
                if report.ok:  # after the first error nothing will be saved: only check the rest
                    writer.save(rows)
            if dry_run or not report.ok:
                transaction.set_rollback(True)
            else:
                report.saved = True
                touched = writer.touched
                transaction.on_commit(lambda: _refresh(touched))
    report.rows.sort(key=lambda r: r.row)
    return report


@dataclass
class _Checked:
    result: RowResult
    listing: Listing
    fields: list[Field]
    stages: list[BusinessStage]
    before: dict[str, Any] | None  # an existing listing's public content before this import


def _check_batch(batch: list[SourceRow], writer: _BatchWriter, report: ImportReport) -> list[_Checked]:
    """Validate one batch of rows (two queries: the existing listings with their fields and
    stages); add a RowResult for each row; return the rows to create or update."""
    parsed = []
    for row in batch:
        values, errors = _parse_row(row.values, writer.lookups)
        key = values["external_key"]
        errors = row.errors + errors
        if key and key in writer.seen:
            errors.append(_("外部キー「%(k)s」が %(r)d 行目と重複しています。") % {"k": key, "r": writer.seen[key]})
        writer.seen.setdefault(key, row.number)
        if errors:
            report.rows.append(RowResult(row.number, key, "error", errors))
        else:
            parsed.append((row.number, values))
    existing = {x.external_key: x for x in Listing.objects.filter(
        owner_organization=writer.owner, external_key__in=[v["external_key"] for _n, v in parsed]
    ).prefetch_related("fields", "stages")}
    out = []
    for number, values in parsed:
        key = values["external_key"]
        m2m = {"fields": values.pop("fields"), "stages": values.pop("stages")}
        old = existing.get(key)
        if old is not None and not _differs(old, {**values, **m2m}):
            report.rows.append(RowResult(number, key, "unchanged"))
            continue
        listing = old or Listing(owner_organization=writer.owner,
                                 status=Listing.Status.PUBLISHED if writer.publish else Listing.Status.PENDING)
        before = moderation.content_of(old) if old is not None else None  # before setattr below
        for attr, value in values.items():
            if attr == "expires_on" and value is None and old is not None:
                continue  # an absent 掲載期限 keeps the current one
            setattr(listing, attr, value)
        try:
            # the owner and the municipality come from lookups, and the file was checked for
            # duplicate keys: skip the per-row queries of the FK and unique checks
            listing.full_clean(exclude=["terms", "created_by", "owner_organization", "municipality"],
                               validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            msgs = [f"{_label(k)}: {m}".lstrip(": ")
                    for k, ms in exc.message_dict.items() for m in ms]
            report.rows.append(RowResult(number, key, "error", msgs))
            continue
        result = RowResult(number, key, "updated" if old is not None else "created")
        report.rows.append(result)
        out.append(_Checked(result, listing, m2m["fields"], m2m["stages"], before))
    return out


def _label(name: str) -> str:
    """A listing field's name as the person importing reads it ("" for an error of the whole row)."""
    if name == "__all__":
        return ""
    # cast: get_field may return a reverse relation; full_clean names the listing's own fields.
    return str(cast("models.Field[Any, Any]", Listing._meta.get_field(name)).verbose_name)


# what an import may change on an existing listing (update_rows writes these columns)
_UPDATED_COLUMNS = [*(a for a in [*REQUIRED.values(), *OPTIONAL.values()] if a not in ("fields", "stages")),
                    "status", "approved_content", "terms", "updated"]


class _BatchWriter:
    """Saves checked rows a batch at a time: bulk_create / one executemany UPDATE, their history rows,
    and the fields and stages through their link tables."""

    def __init__(self, owner: Organization, *, publish: bool) -> None:
        self.owner = owner
        self.publish = publish
        self.lookups = _Lookups()
        self.seen: dict[str, int] = {}
        self.touched: list[int] = []

    def save(self, rows: list[_Checked]) -> None:
        now = timezone.now()
        new = [r for r in rows if r.before is None]
        changed = [r for r in rows if r.before is not None]
        for r in rows:
            r.listing.fill_derived()
        if new:
            Listing.objects.bulk_create([r.listing for r in new])
            if any(r.listing.pk is None for r in new):  # a backend without RETURNING
                pk_of = dict(Listing.objects.filter(owner_organization=self.owner, external_key__in=[
                    r.listing.external_key for r in new]).values_list("external_key", "pk"))
                for r in new:
                    r.listing.pk = pk_of[r.listing.external_key]
            copy_to_history(Listing, [r.listing.pk for r in new], "+", now)
        withdrawn = []
        for r in changed:
            r.result.withdrawn = moderation.apply_edit(
                r.listing, before=r.before or {}, fields=r.fields, stages=r.stages, reviewed=self.publish)
            if r.result.withdrawn:
                withdrawn.append(r.listing.pk)
            r.listing.updated = now  # auto_now is save()'s; the bulk UPDATE needs it set
        if changed:
            update_rows([r.listing for r in changed], _UPDATED_COLUMNS)
            ids = [r.listing.pk for r in changed]
            copy_to_history(Listing, ids, "~", now)
            Listing.fields.through.objects.filter(listing_id__in=ids).delete()
            Listing.stages.through.objects.filter(listing_id__in=ids).delete()
        if withdrawn:
            moderation.withdraw_suggestions(withdrawn)
        # dict.fromkeys: 「IT;it」 names one field twice, and the link table is unique per pair
        insert_links(Listing._meta.get_field("fields"),
                     [(r.listing.pk, pk) for r in rows for pk in dict.fromkeys(f.pk for f in r.fields)])
        insert_links(Listing._meta.get_field("stages"),
                     [(r.listing.pk, pk) for r in rows for pk in dict.fromkeys(s.pk for s in r.stages)])
        self.touched.extend(r.listing.pk for r in rows)


# Above this many saved listings, suggestions are left to `madoguchi match --stale` (new and
# changed listings are stale until refreshed) instead of refreshing each one after the commit.
REFRESH_AFTER_IMPORT_LIMIT = 200


def _refresh(ids: list[int]) -> None:
    from madoguchi.matching import matches

    if len(ids) > REFRESH_AFTER_IMPORT_LIMIT:
        return
    for listing in Listing.objects.filter(pk__in=ids):
        matches.refresh_around(listing)
