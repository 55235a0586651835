"""`madoguchi report`: the yearly report as a file, and Japanese errors for wrong dates."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from madoguchi.reports.tests.conftest import Platform


def test_the_yearly_report_as_csv(year: Platform) -> None:
    out = io.StringIO()
    call_command("report", "--from", "2025-04-01", "--to", "2026-03-31", stdout=out)
    text = out.getvalue()
    assert text.startswith("\ufeffmadoguchi 年次報告")
    assert "受け付けた相談,10" in text
    assert "資金・設備支援,創業期,5,1,1,不足" in text
    assert "資金・設備支援,成長期,3件未満,0,0," in text


def test_the_yearly_report_as_excel(year: Platform, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    call_command("report", "--from", "2025-04-01", "--to", "2026-03-31", "--format", "xlsx", "--output", str(target),
                 stderr=io.StringIO())
    book = load_workbook(target)
    assert book.sheetnames[:2] == ["条件", "相談と紹介"]
    assert ["受け付けた相談", 10] in [list(r) for r in book["相談と紹介"].iter_rows(values_only=True)]


@pytest.mark.parametrize(("start", "end", "message"), [
    ("2025-4-1x", "2026-03-31", "開始日は YYYY-MM-DD の形式の日付で入力してください"),
    ("2026-04-01", "2025-03-31", "開始日（2026-04-01）が終了日（2025-03-31）より後になっています"),
])
def test_wrong_dates_are_refused_in_japanese(platform: Platform, start: str, end: str, message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("report", "--from", start, "--to", end)


def test_excel_needs_an_output_file(platform: Platform) -> None:
    with pytest.raises(CommandError, match="--output"):
        call_command("report", "--from", "2025-04-01", "--to", "2026-03-31", "--format", "xlsx")
