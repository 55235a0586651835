"""The formula payloads every export test feeds in, and the checks on the file that comes back.

Shared by the events, reports and lib tests so each export is held to the same standard: read back
with the csv module or openpyxl, no cell is a formula and the visible text is what was typed
(in CSV behind the documented `'`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from madoguchi.lib.spreadsheet import FORMULA_PREFIXES

# What the issue tried (OWASP's examples), plus text led by a tab or a carriage return.
PAYLOADS = [
    '=HYPERLINK("http://example.com","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\t=1+2",
    "\r=1+2",
]


_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a real negative number is data, not a formula


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_csv_safe(rows: Iterable[list[str]], typed: Iterable[str]) -> None:
    """No cell starts as a formula would, and each typed text is there behind one `'`."""
    cells = [cell for row in rows for cell in row]
    live = [cell for cell in cells if cell.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(cell)]
    assert live == [], f"cells a spreadsheet would run: {live}"
    for text in typed:
        assert "'" + text in cells, f"{text!r} is not in the file as typed (behind ')"


def xlsx_cells(book: Any) -> list[Any]:
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_xlsx_safe(book: Any, typed: Iterable[str]) -> None:
    """No cell is a formula, and each typed text is a string cell holding exactly what was typed."""
    cells = xlsx_cells(book)
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == [], f"formula cells: {formulas}"
    strings = {c.value for c in cells if c.data_type == "s"}
    for text in typed:
        assert text in strings, f"{text!r} is not a text cell as typed"
