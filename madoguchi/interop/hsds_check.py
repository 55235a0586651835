"""Checking an HSDS 3.0 object against the vendored schemas, with the path of each wrong field.

Written here rather than with jsonschema at run time: jsonschema is a test dependency, and its
FormatChecker does not check `uri` at all without a further package (rfc3987), which is the
error feeds make most often (`www.example.jp`). What is checked, from the schemas themselves:
required fields, JSON types, `enum`, and the formats `uri` (a scheme), `email` (an @ with
something on both sides), `uuid`, `date` and `date-time`; child objects by their `$ref`.
Messages are Japanese and start with the field's path (`services[2].url`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from madoguchi.interop.hsds import schema

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,),
    "array": (list,), "object": (dict,),
}
_TYPE_NAMES = {"string": "文字列", "number": "数値", "integer": "整数", "boolean": "真偽値", "array": "配列", "object": "オブジェクト"}


def _ref(prop: dict[str, Any]) -> str | None:
    ref = prop.get("$ref")
    return ref.removesuffix(".json") if ref else None


def _format_error(fmt: str, value: str) -> str | None:
    if fmt == "uri" and not _URI.fullmatch(value):
        return f"「{value}」は URL ではありません（https:// などのスキームで始めてください）。"
    if fmt == "email" and not _EMAIL.fullmatch(value):
        return f"「{value}」はメールアドレスではありません（@ の前後が必要です）。"
    if fmt == "uuid" and not _UUID.fullmatch(value):
        return f"「{value}」は UUID ではありません（例: 5f0c3a52-6b1e-4f0e-9d7a-4d1a7c2e9b10）。"
    if fmt == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"「{value}」は日付ではありません（YYYY-MM-DD）。"
    if fmt == "date-time":
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return f"「{value}」は日時ではありません（例: 2026-04-01T09:00:00Z）。"
    return None


def check(table: str, record: Any, path: str) -> list[str]:
    """Every schema error of `record` as the HSDS `table`, each starting with its path."""
    if not isinstance(record, dict):
        return [f"{path}: {table} はオブジェクト（{{…}}）にしてください。"]
    spec = schema(table)
    errors = [
        f"{path}.{name}: 必須の項目がありません。"
        # As JSON Schema: a required field must be there (and not null); "" is a value. The
        # importer refuses an empty name itself.
        for name in spec.get("required", []) if record.get(name) is None
    ]
    for name, value in record.items():
        prop = spec["properties"].get(name)
        if prop is None or value is None:
            continue  # HSDS lets a profile add fields; null is "not given"
        errors += _check_value(prop, value, f"{path}.{name}")
    return errors


def _check_value(prop: dict[str, Any], value: Any, path: str) -> list[str]:
    child = _ref(prop)
    if child:
        return check(child, value, path)
    kind = prop.get("type")
    if isinstance(kind, str) and kind in _TYPES:
        allowed = _TYPES[kind]
        if not isinstance(value, allowed) or (kind != "boolean" and isinstance(value, bool)):
            return [f"{path}: {_TYPE_NAMES[kind]}にしてください（{type(value).__name__} です）。"]
    if kind == "array":
        items = prop.get("items") or {}
        errors: list[str] = []
        for index, item in enumerate(value):
            if item is not None:
                errors += _check_value(items, item, f"{path}[{index}]")
        return errors
    if "enum" in prop and value not in prop["enum"]:
        return [f"{path}: 「{value}」は使えません（{'、'.join(map(str, prop['enum']))} のいずれか）。"]
    fmt = prop.get("format")
    if fmt and isinstance(value, str):
        message = _format_error(fmt, value)
        if message:
            return [f"{path}: {message}"]
    return []
