"""CSV and Excel files that never run what someone typed (OWASP "CSV injection").

Every CSV or Excel download goes through this module. A spreadsheet treats a cell whose text
starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)` calls out, `+cmd|' /C calc'!A0`
runs a program), and a leading tab or carriage return can hide such a prefix from a quick look,
so text starting with any of these is written as text:

- in CSV, prefixed with `'`, which Excel and LibreOffice take as "this is text" and do not show;
  the apostrophe stays in the file, the documented price for a file that is safe to double-click;
- in Excel, as an explicit string cell (data_type "s", with the quote-prefix style so editing the
  cell keeps it text); openpyxl would otherwise store any text starting with `=` as a formula.

Real numbers, dates and times are not text and keep their type, so a count of -3 stays a number.

Not used by `madoguchi export-hsds --format csv`: that is open data in the column layout HSDS 3.0
defines, read by programs (validators, other registries) that would take a `'` as part of the
value; its text is the registry's, and a spreadsheet user opening it gets HSDS's own fields.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

# What makes a spreadsheet read a cell as a formula (or hides that it will).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_cell(value: Any) -> Any:
    """`value` as it may go into a CSV: formula-like text gets a leading `'`, anything else as is."""
    return "'" + value if is_formula_like(value) else value


class SafeCsvWriter:
    """`csv.writer` whose rows are escaped with `csv_cell`; the only CSV writer exports use."""

    def __init__(self, out: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(out, **kwargs)


def sheet_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell for `sheet` holding `value`; text is always a string cell, never a formula.

    Numbers, dates and times keep openpyxl's own types; text such as "=SUM(A1)" or "#N/A" (which
    openpyxl would store as a formula or an error value) is stored exactly as typed.
    """
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet, value=value)  # type: ignore[call-arg]  # types-openpyxl wants row and column; openpyxl defaults them to None and sheet.append sets both
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True  # Excel keeps it text when someone edits the cell
    return cell


def append_row(sheet: Any, row: Iterable[Any]) -> None:
    """Append `row` to an openpyxl worksheet through `sheet_cell`: the only way exports add rows."""
    sheet.append([sheet_cell(sheet, value) for value in row])
