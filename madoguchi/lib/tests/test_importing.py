"""The shared CSV reader of the importers: limits first, encodings, row numbers, per-row checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.lib.importing import CsvFile, FileRefused, Limits, batched

_LIMITS = Limits()


def read(data: bytes | Path, limits: Limits = _LIMITS) -> tuple[CsvFile, list]:
    with CsvFile(data, limits) as f:
        f.open()
        return f, list(f.rows())


def test_shift_jis_from_excel_and_utf8_with_bom_are_read_alike():
    text = "名称,概要\n東北,仙台市の企業\n"
    for data, name in ((text.encode("cp932"), "Shift_JIS"), (b"\xef\xbb\xbf" + text.encode(), "UTF-8")):
        f, rows = read(data)
        assert f.encoding == name and f.headers == ["名称", "概要"]
        assert [(r.number, r.values) for r in rows] == [(2, {"名称": "東北", "概要": "仙台市の企業"})]


def test_rows_are_numbered_as_a_spreadsheet_shows_them():
    # a quoted line break stays in its cell; blank lines are skipped but keep their number
    f, rows = read('名称,概要\nA,"1行目\n2行目"\n\nB,\n'.encode())
    assert [(r.number, r.values["名称"]) for r in rows] == [(2, "A"), (4, "B")]
    assert rows[0].values["概要"] == "1行目\n2行目" and f.row_count == 2


def test_the_row_count_is_known_before_any_row_is_read():
    with CsvFile(("名称\n" + "x\n" * 11).encode(), Limits(max_rows=10)) as f, \
            pytest.raises(FileRefused, match="データ行が 11 行あります。10 行まで"):
        f.open()


def test_a_cell_over_the_cap_or_with_nul_gets_its_own_message():
    _f, rows = read("名称,概要\nA,abcdef\nB,x\x00y\nC,ok\n".encode(), Limits(max_field_chars=5))
    assert rows[0].errors == ["概要 が 6 文字あります。1 つの欄は 5 文字までにしてください。"]
    assert rows[1].errors and "NUL" in rows[1].errors[0] and rows[2].errors == []


def test_extra_cells_beyond_the_headers_are_reported():
    _f, rows = read("名称\nA,B\nC,\n".encode())
    assert rows[0].errors == ["見出しより多い 2 個の欄があります。"] and rows[1].errors == []


def test_a_file_is_read_from_disk_without_loading_it(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("名称\n東北\n".encode("cp932"))
    f, rows = read(path)
    assert f.encoding == "Shift_JIS" and rows[0].values == {"名称": "東北"}


def test_batched():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
