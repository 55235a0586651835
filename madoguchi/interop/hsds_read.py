"""Reading an HSDS 3.0 feed into organizations and services, each checked against the schema.

A feed is one of: a JSON file holding one full object, an API list page (`{"contents": […]}`) or
an array; a folder of such files (as `madoguchi export-hsds` writes: `organization.json`,
`services.json`, `schedules.json`, … — one flat array per table, nested again here as the
CSVs are); the tabular data package (`datapackage.json` and its CSVs, as HSDS's examples/csv),
given as the folder, its datapackage.json, or a .zip of it. Locations, taxonomies and terms on
their own are not programs and are skipped (counted in `skipped`).

Every object is checked (hsds_check.py) before anything is saved; a feed with one wrong field
is refused as a whole, with the field's path.
"""

from __future__ import annotations

import csv
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from madoguchi.interop.hsds import SCHEMA_DIR, schema
from madoguchi.interop.hsds_check import check

Record = dict[str, Any]


class FeedRefused(ValueError):
    """The feed cannot be read at all (not JSON, no such file, too big); the message is Japanese."""


@dataclass
class Feed:
    organizations: dict[str, tuple[str, Record]] = field(default_factory=dict)  # id → (path, record)
    services: list[tuple[str, Record]] = field(default_factory=list)  # (path, record)
    errors: list[str] = field(default_factory=list)
    service_ids: set[Any] = field(default_factory=set)
    skipped: int = 0
    files: int = 0

    def add_organization(self, path: str, record: Record) -> None:
        self.errors += check("organization", record, path)
        for index, service in enumerate(record.get("services") or []):
            if isinstance(service, dict) and record.get("id"):
                service = {"organization_id": record["id"], **service}
            self.add_service(f"{path}.services[{index}]", service)
        if isinstance(record.get("id"), str):
            self.organizations.setdefault(record["id"], (path, record))

    def add_service(self, path: str, record: Record, *, checked: bool = False) -> None:
        if not checked:
            self.errors += check("service", record, path)
        if not isinstance(record, dict):
            return
        nested = record.get("organization")
        if isinstance(nested, dict) and isinstance(nested.get("id"), str):
            self.organizations.setdefault(nested["id"], (f"{path}.organization", nested))
            record = {"organization_id": nested["id"], **record}
        # The examples (and a folder of API pages) repeat one service in several shapes: the first is kept.
        if record.get("id") in self.service_ids:
            self.skipped += 1
            return
        self.service_ids.add(record.get("id"))
        self.services.append((path, record))


# A file named for one of these holds only that kind of object.
_WHOLE = {"organization": "organization", "organizations": "organization", "service": "service", "services": "service"}
_SKIP_KEYS = ("location_type", "taxonomy_id", "taxonomy_detail", "term_uri", "version")


def _classify(record: Any) -> str:
    if not isinstance(record, dict):
        return "service"  # reported as "not an object" by the check
    if "status" in record:
        return "service"
    if isinstance(record.get("service"), dict):
        return "service_at_location"
    if any(key in record for key in _SKIP_KEYS):
        return "skip"
    return "organization"


def _add(feed: Feed, kind: str, path: str, record: Any) -> None:
    if kind == "organization":
        feed.add_organization(path, record)
    elif kind == "service":
        feed.add_service(path, record)
    elif kind == "service_at_location":
        feed.errors += check("service_at_location", record, path)
        feed.add_service(f"{path}.service", record["service"])
    else:
        feed.skipped += 1


def _load_json(path: Path, label: str, max_bytes: int) -> Any:
    if path.stat().st_size > max_bytes:
        raise FeedRefused(f"{label} が大きすぎます（上限 {max_bytes:,} バイト）。分割して取り込んでください。")
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise FeedRefused(f"{label} は UTF-8 ではありません。") from None
    except json.JSONDecodeError as error:
        raise FeedRefused(f"{label} は JSON として読めません（{error.lineno} 行 {error.colno} 文字目: {error.msg}）。") from None


def read_json_file(feed: Feed, path: Path, label: str, max_bytes: int) -> None:
    data = _load_json(path, label, max_bytes)
    feed.files += 1
    forced = _WHOLE.get(path.stem)
    if isinstance(data, dict) and data and all(str(key).endswith(".csv") for key in data):
        read_tabular_json(feed, data, label)
        return
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, prefix = data["contents"], f"{label}: contents"
    elif isinstance(data, list):
        items, prefix = data, label
    else:
        _add(feed, forced or _classify(data), label, data)
        return
    for index, item in enumerate(items):
        _add(feed, forced or _classify(item), f"{prefix}[{index}]", item)


# ---------------------------------------------------------------- the tabular data package


def _typed(table: str, row: dict[str, str], where: str, errors: list[str]) -> Record:
    """A CSV row with the schema's types: "" is absent, numbers are numbers."""
    props = schema(table)["properties"]
    record: Record = {}
    for name, text in row.items():
        if name is None or text is None or text == "":
            continue
        kind = props.get(name, {}).get("type")
        if kind in ("number", "integer"):
            try:
                number = float(text)
            except ValueError:
                errors.append(f"{where}.{name}: 「{text}」は数値ではありません。")
                continue
            record[name] = int(number) if number.is_integer() else number
        elif kind == "boolean":
            record[name] = text.strip().lower() in ("true", "1", "yes")
        else:
            record[name] = text
    return record


def read_package(feed: Feed, descriptor: Path, max_bytes: int) -> None:
    package = _load_json(descriptor, descriptor.name, max_bytes)
    folder = descriptor.parent
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list):
        raise FeedRefused(f"{descriptor.name} に resources がありません（表形式データパッケージではありません）。")
    tables: dict[str, list[Record]] = {}
    for resource in resources:
        name, file = resource.get("name"), resource.get("path")
        if not name or not file or not (folder / file).is_file():
            continue
        try:
            schema(name)
        except FileNotFoundError:
            continue
        feed.files += 1
        rows = tables.setdefault(name, [])
        with (folder / file).open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                where = f"{file}[{number}行目]"
                record = _typed(name, row, where, feed.errors)
                feed.errors += check(name, record, where)
                record["_where"] = where
                rows.append(record)
    _assemble(feed, tables)


def _table_of_file(file: str) -> str | None:
    for name in (p.stem for p in SCHEMA_DIR.glob("*.json")):
        if schema(name).get("path") == file:
            return name
    return None


def read_tabular_json(feed: Feed, data: dict[str, Any], label: str = "") -> None:
    """Flat JSON arrays per table: the examples' tabular.json ({"services.csv": [rows…], …}) or a
    folder of export-hsds's files ({"services.json": [rows…], …}) — the data package in JSON."""
    tables: dict[str, list[Record]] = {}
    for file, rows in data.items():
        name = _table_of_file(file.removesuffix(".json") + ".csv" if file.endswith(".json") else file)
        if name is None or not isinstance(rows, list):
            continue
        for number, row in enumerate(rows):
            where = f"{label}: {file}[{number}]" if label else f"{file}[{number}]"
            if not isinstance(row, dict):
                feed.errors.append(f"{where}: オブジェクト（{{…}}）にしてください。")
                continue
            props = schema(name)["properties"]
            # The tabular form is CSV's: HSDS's own tabular.json writes 10092008082 for a string column.
            record = {
                k: str(v) if props.get(k, {}).get("type") == "string" and isinstance(v, (int, float)) and not isinstance(v, bool) else v
                for k, v in row.items() if v is not None
            }
            feed.errors += check(name, record, where)
            tables.setdefault(name, []).append({**record, "_where": where})
    _assemble(feed, tables)


def _assemble(feed: Feed, tables: dict[str, list[Record]]) -> None:
    """Nest the flat rows under their organization and service, as the JSON objects carry them
    (children a row already nests, as in a folder of whole objects, are kept)."""
    by = _grouped(tables)
    for record in tables.get("organization", []):
        oid = record.get("id", "")
        nested = {
            **record,
            "organization_identifiers": record.get("organization_identifiers") or by("organization_identifier", "organization_id", oid),
            "phones": record.get("phones") or by("phone", "organization_id", oid),
            "locations": record.get("locations") or [
                {**loc, "addresses": loc.get("addresses") or by("address", "location_id", loc.get("id")),
                 "phones": loc.get("phones") or by("phone", "location_id", loc.get("id"))}
                for loc in by("location", "organization_id", oid)
            ],
            "attributes": record.get("attributes") or by("attribute", "link_id", oid),
            "metadata": record.get("metadata") or by("metadata", "resource_id", oid),
        }
        if isinstance(oid, str) and oid:
            feed.organizations.setdefault(oid, (nested.pop("_where"), nested))
    for record in tables.get("service", []):
        sid = record.get("id", "")
        nested = {
            **record,
            "schedules": record.get("schedules") or by("schedule", "service_id", sid),
            "service_areas": record.get("service_areas") or by("service_area", "service_id", sid),
            "attributes": record.get("attributes") or by("attribute", "link_id", sid),
            "funding": record.get("funding") or by("funding", "service_id", sid),
            "cost_options": record.get("cost_options") or by("cost_option", "service_id", sid),
            "contacts": record.get("contacts") or by("contact", "service_id", sid),
            "metadata": record.get("metadata") or by("metadata", "resource_id", sid),
        }
        feed.add_service(nested.pop("_where"), nested, checked=True)
    feed.skipped += sum(len(tables.get(t, [])) for t in ("taxonomy", "taxonomy_term"))


def _grouped(tables: dict[str, list[Record]]) -> Any:
    index: dict[tuple[str, str], dict[str, list[Record]]] = {}

    def by(table: str, key: str, value: Any) -> list[Record]:
        if (table, key) not in index:
            groups: dict[str, list[Record]] = {}
            for row in tables.get(table, []):
                clean = {k: v for k, v in row.items() if k != "_where"}
                groups.setdefault(str(row.get(key, "")), []).append(clean)
            index[(table, key)] = groups
        return index[(table, key)].get(str(value), []) if value else []

    return by


# ---------------------------------------------------------------- entry point


def read_feed(path: Path, *, max_bytes: int) -> Feed:
    """Read and check the whole feed at `path`; raise FeedRefused when it cannot be read."""
    feed = Feed()
    if not path.exists():
        raise FeedRefused(f"{path} がありません。")
    if path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        with tempfile.TemporaryDirectory() as folder:
            try:
                with zipfile.ZipFile(path) as archive:
                    if sum(i.file_size for i in archive.infolist()) > max_bytes:
                        raise FeedRefused(f"{path.name} は展開すると大きすぎます（上限 {max_bytes:,} バイト）。")
                    archive.extractall(folder)
            except zipfile.BadZipFile:
                raise FeedRefused(f"{path.name} は ZIP として読めません。") from None
            found = sorted(Path(folder).rglob("datapackage.json"))
            target = found[0] if found else Path(folder)
            return read_feed(target if found else target, max_bytes=max_bytes)
    if path.is_dir():
        if (path / "datapackage.json").is_file():
            read_package(feed, path / "datapackage.json", max_bytes)
            return feed
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            raise FeedRefused(f"{path} に JSON ファイルも datapackage.json もありません。")
        # export-hsds writes one flat JSON array per table (services.json, schedules.json, …):
        # those are the data package in JSON, nested again as the CSVs are.
        tabular = {p.name: p for p in files if p.parent == path and _table_of_file(f"{p.stem}.csv")}
        if "services.json" in tabular:
            data = {name: _load_json(file, file.name, max_bytes) for name, file in tabular.items()}
            feed.files += len(data)
            read_tabular_json(feed, data)
            files = [p for p in files if p not in tabular.values()]
        for file in files:
            read_json_file(feed, file, str(file.relative_to(path)), max_bytes)
        return feed
    if path.name == "datapackage.json":
        read_package(feed, path, max_bytes)
        return feed
    read_json_file(feed, path, path.name, max_bytes)
    return feed
