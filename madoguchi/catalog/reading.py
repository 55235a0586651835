"""Reading a tabular file row by row: CSV (UTF-8 with or without BOM, Shift_JIS/CP932) or .xlsx.

Generic on purpose (no catalog knowledge) so another importer can share it. The caps (bytes,
rows) are checked before the first row is handed out; rows are streamed, never all in memory.
Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

CHUNK = 1 << 20


class FileRefused(ValueError):
    """The file as a whole cannot be read (too big, unknown encoding, not a spreadsheet)."""


@dataclass
class Table:
    headers: list[str]
    total_rows: int  # data rows (an upper bound for .xlsx, whose trailing blank rows count)
    encoding: str
    rows: Iterator[tuple[int, dict[str, object]]] = field(repr=False)


def _sniff_csv(path: Path) -> tuple[str, int]:
    """(Python codec, number of lines), reading the file once in chunks.

    UTF-8 is tried first (a BOM is skipped); a file that is not valid UTF-8 is CP932, the
    superset of Shift_JIS that Excel writes in Japan.
    """
    lines = 0
    decoders = {"utf-8-sig": codecs.getincrementaldecoder("utf-8-sig")(), "cp932": codecs.getincrementaldecoder("cp932")()}
    alive = dict.fromkeys(decoders, True)
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            for name, decoder in decoders.items():
                if alive[name]:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        alive[name] = False
    for name, decoder in decoders.items():
        if alive[name]:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                alive[name] = False
    if last and last != b"\n":
        lines += 1
    for name in ("utf-8-sig", "cp932"):
        if alive[name]:
            return name, lines
    raise FileRefused(_("文字コードを判別できません。UTF-8 か Shift_JIS（CP932）で保存してください。"))


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        headers = [h.strip() for h in next(reader, [])]
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            # a ragged row: cells past the header are dropped, missing ones are absent
            yield number, dict(zip(headers, values, strict=False))


def _csv_headers(path: Path, encoding: str) -> list[str]:
    with path.open("r", encoding=encoding, newline="") as handle:
        return [h.strip() for h in next(csv.reader(handle), [])]


def _xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise FileRefused(_("Excel ファイル（.xlsx）として読めません: %(error)s") % {"error": error}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None) or ()
    headers = [str(h).strip() if h is not None else "" for h in first]
    # max_row comes from the sheet's <dimension>: known before reading, as the cap needs.
    total = max((sheet.max_row or 1) - 1, 0)

    def generate() -> Iterator[tuple[int, dict[str, object]]]:
        try:
            for number, values in enumerate(rows, start=2):
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                # a row may be shorter or longer than the header, as in a CSV
                yield number, dict(zip(headers, values, strict=False))
        finally:
            workbook.close()

    return Table(headers, total, "xlsx", generate())


def open_table(path: Path, *, max_bytes: int, max_rows: int) -> Table:
    """Check the caps and open the file; raise FileRefused with a Japanese message."""
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRefused(
            _("ファイルが大きすぎます（%(size)s バイト、上限 %(max)s バイト）。分割して取り込んでください。")
            % {"size": f"{size:,}", "max": f"{max_bytes:,}"}
        )
    if size == 0:
        raise FileRefused(_("ファイルが空です。"))
    with path.open("rb") as handle:
        magic = handle.read(4)
    if path.suffix.lower() == ".xlsx" or magic == b"PK\x03\x04":
        table = _xlsx(path)
    elif path.suffix.lower() in (".xls", ".xlsm"):
        raise FileRefused(_("%(suffix)s 形式は読めません。.xlsx か CSV で保存してください。") % {"suffix": path.suffix})
    else:
        encoding, lines = _sniff_csv(path)
        table = Table(
            _csv_headers(path, encoding), max(lines - 1, 0),
            "UTF-8" if encoding == "utf-8-sig" else "Shift_JIS", _csv_rows(path, encoding),
        )
    if table.total_rows > max_rows:
        raise FileRefused(
            _("行数が多すぎます（%(rows)s 行、上限 %(max)s 行）。分割して取り込んでください。")
            % {"rows": f"{table.total_rows:,}", "max": f"{max_rows:,}"}
        )
    return table
