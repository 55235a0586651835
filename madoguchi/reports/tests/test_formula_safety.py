"""The report downloads and `madoguchi report` write registry labels as text, never as formulas.

The labels (stage, field and municipality names; a support function in the KPI heading, as the coverage page takes no function filter) are what staff
edit in the admin and the catalog imports, so each carries one of the formula payloads here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from madoguchi.directory.models import BusinessStage, Field, Municipality, SupportFunction
from madoguchi.lib.tests.formula_payloads import PAYLOADS, assert_csv_safe, assert_xlsx_safe, csv_rows
from madoguchi.reports.tests.conftest import Platform

# The registry's names hold 30 characters, too few for the HYPERLINK payload: it goes into the
# heading (a support function's name holds 50), and a shorter `=` formula into the tables.
HEADING, SHORT_FORMULA = PAYLOADS[0], '=HYPERLINK("http://x.jp","a")'
IN_TABLES = [*PAYLOADS[1:], SHORT_FORMULA]
QUERY = {"from": "2025-04-01", "to": "2026-03-31", "function": "finance"}


@pytest.fixture
def labelled(year: Platform) -> Platform:
    p = year
    SupportFunction.objects.filter(pk=p.finance.pk).update(name=HEADING)
    BusinessStage.objects.filter(pk=p.founding.pk).update(name=PAYLOADS[1])
    BusinessStage.objects.filter(pk=p.growth.pk).update(name=PAYLOADS[2])
    Field.objects.create(code="food", name=PAYLOADS[3], order=1)
    Municipality.objects.filter(pk=p.sendai.pk).update(name=PAYLOADS[4])  # 青葉区's city, where B is
    Field.objects.create(code="it", name=PAYLOADS[5], order=2)
    Field.objects.create(code="env", name=SHORT_FORMULA, order=3)
    return p


@pytest.mark.parametrize(("page", "typed"), [
    ("reports:overview_download", [HEADING]), ("reports:coverage_download", IN_TABLES),
])
def test_the_csv_downloads_write_labels_as_text(labelled: Platform, client: HttpClient, page: str,
                                                typed: list[str]) -> None:
    client.force_login(labelled.users["cora"])
    response = client.get(reverse(page, args=["csv"]), QUERY)
    assert response.status_code == 200
    assert_csv_safe(csv_rows(response.content), typed)


@pytest.mark.parametrize(("page", "typed"), [
    ("reports:overview_download", [HEADING]), ("reports:coverage_download", IN_TABLES),
])
def test_the_excel_downloads_write_labels_as_text_and_counts_as_numbers(
        labelled: Platform, client: HttpClient, page: str, typed: list[str]) -> None:
    client.force_login(labelled.users["cora"])
    response = client.get(reverse(page, args=["xlsx"]), QUERY)
    book = load_workbook(io.BytesIO(response.content))
    assert_xlsx_safe(book, typed)
    if page == "reports:coverage_download":
        rows = [list(r) for r in book["支援機能 × 事業段階"].iter_rows(min_row=3, values_only=True)]
        assert ["資金・設備支援", PAYLOADS[1], 5, 1, 1, "不足"] in rows  # the count is still a number


def test_the_report_command_writes_labels_as_text(labelled: Platform, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("report", "--from", "2025-04-01", "--to", "2026-03-31", stdout=out)
    assert_csv_safe(csv_rows(out.getvalue().encode("utf-8")), IN_TABLES)

    target = tmp_path / "report.xlsx"
    call_command("report", "--from", "2025-04-01", "--to", "2026-03-31", "--format", "xlsx", "--output", str(target),
                 stderr=io.StringIO())
    assert_xlsx_safe(load_workbook(target), IN_TABLES)
