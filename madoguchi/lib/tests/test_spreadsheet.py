"""The export helper itself: formula-like text becomes text, numbers and dates keep their type."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from madoguchi.lib.spreadsheet import append_row, csv_cell, csv_writer
from madoguchi.lib.tests.formula_payloads import PAYLOADS, assert_csv_safe, assert_xlsx_safe, csv_rows


@pytest.mark.parametrize("text", PAYLOADS)
def test_formula_like_text_gets_a_leading_apostrophe_in_csv(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["山田太郎", "022-225-6636", "T1234567890123", "a=b", " =x", "", 3, -3, 2.5, None])
def test_other_values_are_written_as_they_are(value: object) -> None:
    assert csv_cell(value) == value


def test_a_csv_file_reads_back_as_text_with_numbers_unchanged() -> None:
    out = io.StringIO()
    csv_writer(out).writerows([PAYLOADS, [-3, 2.5, "022-225-6636"]])

    rows = csv_rows(out.getvalue().encode())

    assert_csv_safe(rows, PAYLOADS)
    assert rows[1] == ["-3", "2.5", "022-225-6636"]  # a real negative number is no text to escape


def test_an_excel_sheet_keeps_text_as_text_and_numbers_and_dates_as_they_are() -> None:
    book = Workbook()
    append_row(book.active, [*PAYLOADS, "#N/A"])
    append_row(book.active, [-3, 2.5, dt.date(2025, 4, 1), None, "山田"])
    buffer = io.BytesIO()
    book.save(buffer)

    read = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = read.active
    assert isinstance(sheet, Worksheet)

    assert_xlsx_safe(read, [*PAYLOADS, "#N/A"])
    assert [c.value for c in sheet[1]] == [*PAYLOADS, "#N/A"]
    assert all(c.quotePrefix for c in sheet[1][: len(PAYLOADS)])  # editing the cell keeps it text
    assert [c.value for c in sheet[2]][:5] == [-3, 2.5, dt.datetime(2025, 4, 1), None, "山田"]
    assert [c.data_type for c in sheet[2]][:3] == ["n", "n", "d"]
