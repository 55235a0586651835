"""The file formats the admin upload takes, each run by its importer.

A registry rather than imports, so catalog depends on no importer outside it: interop adds
HSDS from its AppConfig.ready() (interop depends on catalog, never the reverse).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from madoguchi.catalog.importer import ImportReport

# (path, source name or "", dry run) → report
Runner = Callable[[Path, str, bool], ImportReport]


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    run: Runner
    needs_source: bool = False
    row_label: str = ""  # how a row is named in the results ("" = its row number in the file)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    FORMATS[fmt.key] = fmt


def choices() -> list[tuple[str, str]]:
    return [(f.key, f.label) for f in FORMATS.values()]


def _csv(path: Path, source: str, dry_run: bool) -> ImportReport:
    from madoguchi.catalog.importer import import_programs

    return import_programs(path, source, dry_run=dry_run)


def _jgrants(path: Path, source: str, dry_run: bool) -> ImportReport:
    from madoguchi.catalog.jgrants import import_jgrants_file

    return import_jgrants_file(path, dry_run=dry_run)


register(Format("csv", "制度ファイル（CSV・Excel、日本語見出し）", _csv, needs_source=True))
register(Format("jgrants", "Jグランツ API の応答（保存した JSON: 一覧または詳細）", _jgrants))
