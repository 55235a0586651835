"""Reading a spreadsheet's CSV for an import: limits first, then rows one at a time.

Every importer (listings, programs, ...) has the same needs, so they live here once:

- the limits are checked before any row is validated or saved: the file's size (one stat), then
  its row count (one fast pass of the C csv reader, which also settles the encoding);
- the encoding is UTF-8 (with or without BOM), else Shift_JIS (cp932, what Excel writes in Japan);
- rows are read one at a time from the file and handed out in batches, so memory follows the
  batch, not the file;
- a row that cannot be used as text (a field longer than the cap, a NUL byte) gets its own
  message with its row number, as a spreadsheet numbers it (the header is row 1).

The importer itself maps the headers and saves each batch (see matching/importers.py).
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from django.utils.translation import gettext as _

T = TypeVar("T")

# The C reader refuses a field over csv.field_size_limit() (131,072 characters by default) with
# an exception that leaves it mid-field. Our own cap (Limits.max_field_chars) is far below this
# one and gives a per-row message; this one only guards memory against a runaway quoted field
# (a missing closing quote), which then ends the reading with a message naming its row.
CSV_FIELD_LIMIT = 1 << 20
if csv.field_size_limit() < CSV_FIELD_LIMIT:
    csv.field_size_limit(CSV_FIELD_LIMIT)

ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp932", "Shift_JIS"))


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 64 * 1024 * 1024
    max_rows: int = 20_000
    max_field_chars: int = 10_000
    batch_size: int = 1_000


class FileRefused(Exception):
    """The whole file is refused (size, encoding, row count); the message says why, in Japanese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SourceRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]  # header → cell, stripped; absent cells are ""
    errors: list[str] = field(default_factory=list)  # the row cannot be used as text


Source = bytes | Path | IO[bytes]


@contextlib.contextmanager
def _binary(data: Source) -> Iterator[IO[bytes]]:
    if isinstance(data, bytes):
        yield io.BytesIO(data)
    elif isinstance(data, Path):
        with data.open("rb") as f:
            yield f
    else:
        yield data


def _text(f: IO[bytes], encoding: str) -> io.TextIOWrapper:
    f.seek(0)
    # newline="" as the csv module requires: quoted fields keep their own line breaks
    return io.TextIOWrapper(f, encoding=encoding, newline="")


def _blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


class CsvFile:
    """One CSV file under `limits`. Use as a context manager; `open()` checks the limits."""

    def __init__(self, data: Source, limits: Limits = Limits()) -> None:
        self.data = data
        self.limits = limits
        self.encoding = ""  # "UTF-8" or "Shift_JIS" once open
        self.headers: list[str] = []
        self.row_count = 0  # data rows, blank lines not counted
        self._codec = ""
        self._stack = contextlib.ExitStack()
        self._f: IO[bytes] | None = None

    def __enter__(self) -> CsvFile:
        self._f = self._stack.enter_context(_binary(self.data))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def open(self) -> None:
        """Check size, encoding and row count without validating any row; raise FileRefused."""
        assert self._f is not None, "use CsvFile as a context manager"
        f = self._f
        size = f.seek(0, io.SEEK_END)
        if size > self.limits.max_bytes:
            raise FileRefused(_("ファイルが %(size).1f MB あります。%(max).0f MB までに分けて取り込んでください。") % {
                "size": size / 1024 / 1024, "max": self.limits.max_bytes / 1024 / 1024})
        for codec, name in ENCODINGS:
            try:
                self.headers, self.row_count = self._count(f, codec)
            except UnicodeDecodeError:
                continue
            self._codec, self.encoding = codec, name
            break
        else:
            raise FileRefused(_("文字コードを判別できません。UTF-8 か Shift_JIS で保存してください。"))
        if self.row_count > self.limits.max_rows:
            raise FileRefused(_("データ行が %(n)d 行あります。%(max)d 行までのファイルに分けて取り込んでください。") % {
                "n": self.row_count, "max": self.limits.max_rows})

    def _count(self, f: IO[bytes], codec: str) -> tuple[list[str], int]:
        text = _text(f, codec)
        try:
            reader = csv.reader(text)
            headers = [h.strip() for h in next(reader, [])]
            count = 0
            # counting all of it costs little (the file is under max_bytes) and the message can
            # say how many rows there are
            with contextlib.suppress(csv.Error):  # a runaway field: rows() reports it at its row
                for cells in reader:
                    if not _blank(cells):
                        count += 1
            return headers, count
        finally:
            text.detach()

    def rows(self) -> Iterator[SourceRow]:
        """The data rows one at a time, blank lines skipped, each checked as text."""
        assert self._f is not None and self._codec, "call open() first"
        text = _text(self._f, self._codec)
        try:
            reader = csv.reader(text)
            next(reader, None)
            number = 1
            while True:
                number += 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error:
                    yield SourceRow(number, {}, [_(
                        "%(max)d 文字を超える欄があり、ここから先を読めません（閉じていない引用符 \" がないか確かめてください）。") % {
                        "max": CSV_FIELD_LIMIT}])
                    return
                if _blank(cells):
                    continue
                yield self._row(number, cells)
        finally:
            text.detach()

    def _row(self, number: int, cells: list[str]) -> SourceRow:
        errors: list[str] = []
        if len(cells) > len(self.headers) and not _blank(cells[len(self.headers):]):
            errors.append(_("見出しより多い %(n)d 個の欄があります。") % {"n": len(cells)})
        values: dict[str, str] = {}
        for header, cell in zip(self.headers, cells, strict=False):  # a short row leaves the rest blank; extras are checked above
            name = header or _("（見出しなし）")
            if len(cell) > self.limits.max_field_chars:
                errors.append(_("%(col)s が %(n)d 文字あります。1 つの欄は %(max)d 文字までにしてください。") % {
                    "col": name, "n": len(cell), "max": self.limits.max_field_chars})
                cell = ""
            elif "\x00" in cell:
                errors.append(_("%(col)s に NUL 文字が含まれています。表計算ソフトで CSV として保存し直してください。") % {"col": name})
                cell = cell.replace("\x00", "")
            values[header] = cell.strip()
        return SourceRow(number, values, errors)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items (itertools.batched arrives with Python 3.12)."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch
