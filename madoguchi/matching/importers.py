"""Bulk import of 技術シーズ, 特許 and 受注可能な技術 from CSV with Japanese headers.

- Encoding: UTF-8 (with or without BOM), else Shift_JIS (cp932, what Excel writes in Japan).
- One transaction per file: if any row has an error nothing is saved, and every error is
  reported with its row number (the header is row 1, as a spreadsheet shows it).
- A dry run checks and reports exactly as a real run, then rolls back.
- Idempotent: rows are keyed by (owner, 外部キー); a second import of the same file creates
  nothing and changes nothing, and says so.
- A changed row of a published listing is an edit (moderation.save_edit): its public content
  goes back to review unless the import is a coordinator's (--publish).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from madoguchi.directory.models import BusinessStage, Field, Municipality, Organization
from madoguchi.matching import moderation, signals
from madoguchi.matching.models import Kind, Listing, TechArea

MAX_ROWS = 20_000
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


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name): UTF-8 with or without BOM, else cp932 (Shift_JIS)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), "UTF-8" if encoding == "utf-8-sig" else "Shift_JIS"
        except UnicodeDecodeError:
            continue
    raise ValueError(_("文字コードを判別できません。UTF-8 か Shift_JIS で保存してください。"))


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


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
    get = lambda h: (raw.get(h) or "").strip()  # noqa: E731
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


def import_csv(data: bytes, *, owner: Organization, dry_run: bool = False, publish: bool = False) -> ImportReport:
    """Import one file for one owner; see the module docstring for the rules."""
    report = ImportReport(dry_run=dry_run)
    try:
        text, report.encoding = decode(data)
    except ValueError as exc:
        report.file_errors.append(str(exc))
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [(h or "").strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        report.file_errors.append(_("必須の列がありません: %(h)s（1行目に見出しが必要です）。") % {"h": "、".join(missing)})
        return report
    unknown = [h for h in headers if h and h not in REQUIRED and h not in OPTIONAL]
    if unknown:
        report.file_errors.append(_("知らない列があります: %(h)s。使える列: %(ok)s。") % {
            "h": "、".join(unknown), "ok": "、".join([*REQUIRED, *OPTIONAL])})
        return report
    lk = _Lookups()
    seen: dict[str, int] = {}
    touched: list[int] = []
    with signals.suspended(), transaction.atomic():
        for number, raw in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                report.file_errors.append(_("%(n)d 行を超えるファイルは分けて取り込んでください。") % {"n": MAX_ROWS})
                break
            if not any((x or "").strip() for x in raw.values() if isinstance(x, str)):
                continue  # blank line
            values, errors = _parse_row(raw, lk)
            key = values["external_key"]
            if key and key in seen:
                errors.append(_("外部キー「%(k)s」が %(r)d 行目と重複しています。") % {"k": key, "r": seen[key]})
            seen.setdefault(key, number)
            if errors:
                report.rows.append(RowResult(number, key, "error", errors))
                continue
            m2m = {"fields": values.pop("fields"), "stages": values.pop("stages")}
            existing = Listing.objects.filter(owner_organization=owner, external_key=key).first()
            if existing is not None and not _differs(existing, {**values, **m2m}):
                report.rows.append(RowResult(number, key, "unchanged"))
                continue
            listing = existing or Listing(owner_organization=owner,
                                          status=Listing.Status.PUBLISHED if publish else Listing.Status.PENDING)
            before = moderation.content_of(existing) if existing is not None else None  # before setattr below
            for attr, value in values.items():
                if attr == "expires_on" and value is None and existing is not None:
                    continue
                setattr(listing, attr, value)
            try:
                listing.full_clean(exclude=["terms", "created_by"])
            except ValidationError as exc:
                msgs = [f"{Listing._meta.get_field(k).verbose_name if k != '__all__' else ''}: {m}".lstrip(": ")
                        for k, ms in exc.message_dict.items() for m in ms]
                report.rows.append(RowResult(number, key, "error", msgs))
                continue
            withdrawn = False
            if existing is not None and before is not None:
                # an owner's re-import is an edit like any other: changed public content goes back to review
                was_public = existing.status in (Listing.Status.PUBLISHED, Listing.Status.EXPIRED)
                withdrawn = moderation.save_edit(listing, before=before, fields=m2m["fields"], stages=m2m["stages"],
                                                 reviewed=publish) and was_public
            else:
                listing.save()
                listing.fields.set(m2m["fields"])
                listing.stages.set(m2m["stages"])
            touched.append(listing.pk)
            report.rows.append(RowResult(number, key, "updated" if existing else "created", withdrawn=withdrawn))
        if dry_run or not report.ok:
            transaction.set_rollback(True)
        else:
            report.saved = True
            transaction.on_commit(lambda: _refresh(touched))
    return report


def _refresh(ids: list[int]) -> None:
    from madoguchi.matching import suggestions

    for listing in Listing.objects.filter(pk__in=ids):
        suggestions.refresh_around(listing)
