"""The report pages: who may open them, what they show, and that the downloads say the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from madoguchi.reports.tests.conftest import Platform

YEAR_QUERY = {"from": "2025-04-01", "to": "2026-03-31"}
PAGES = ["reports:overview", "reports:coverage"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("who", "status"), [
    ("cora", 200), ("pia", 200), ("alice", 403), ("bob", 403), ("dora", 403), ("client", 403),
])
def test_only_coordinators_and_the_prefecture_open_the_reports(
    platform: Platform, client: HttpClient, name: str, who: str, status: int,
) -> None:
    client.force_login(platform.users[who])
    assert client.get(reverse(name)).status_code == status
    fmt = "csv"
    download = reverse(name.replace("overview", "overview_download").replace("coverage", "coverage_download"), args=[fmt])
    assert client.get(download).status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_visitors_are_sent_to_log_in(platform: Platform, client: HttpClient, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_rejects_post(platform: Platform, client: HttpClient) -> None:
    client.force_login(platform.users["cora"])
    assert client.post(reverse("reports:overview")).status_code == 405


def test_the_menu_links_the_reports_for_readers_only(platform: Platform, client: HttpClient) -> None:
    client.force_login(platform.users["pia"])
    assert reverse("reports:overview") in client.get(reverse("cases:list")).content.decode()
    client.force_login(platform.users["bob"])
    assert reverse("reports:overview") not in client.get(reverse("cases:list")).content.decode()


def _table(html: str, key: str) -> list[list[str]]:
    """The rows of the page's table `data-table=key` as the text of each cell."""
    body = re.search(rf'data-table="{key}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, key
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>|\s+", "", c) for c in cells])
    return rows


def _csv_blocks(data: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables by title: the rows between the column header and the next blank line."""
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    blocks: dict[str, list[list[str]]] = {}
    for chunk in text.lstrip("\ufeff").split("\r\n\r\n")[1:]:
        lines = list(csv.reader(io.StringIO(chunk)))
        blocks[lines[0][0]] = [line for line in lines[2:] if len(line) > 1]
    return blocks


def test_the_kpi_page_shows_the_year(year: Platform, client: HttpClient) -> None:
    client.force_login(year.users["cora"])
    html = client.get(reverse("reports:overview"), YEAR_QUERY).content.decode()
    consultations = {r[0]: r[1] for r in _table(html, "consultations")}
    assert consultations["受け付けた相談"] == "10"
    outcomes = {r[0]: r[1] for r in _table(html, "outcomes")}
    assert (outcomes["融資実行"], outcomes["創業"], outcomes["合計"]) == ("3", "3件未満", "秘匿")
    # Aggregates only: no client's name or consultation text reaches the page.
    assert "株式会社みやぎ試作" not in html and "資金繰り" not in html


def test_the_coverage_page_shows_cells_gaps_and_suppression(year: Platform, client: HttpClient) -> None:
    client.force_login(year.users["pia"])
    html = client.get(reverse("reports:coverage"), YEAR_QUERY).content.decode()
    matrix = {row[0]: row[1:] for row in _table(html, "function_stage")}
    founding, growth = matrix["資金・設備支援"]
    assert founding.startswith("相談件数5") and "事業1・機関1" in founding and "不足" in founding
    assert growth.startswith("相談件数3件未満") and "不足" not in growth
    assert "不足" not in "".join(matrix["販路開拓支援"])
    assert "<svg" in html and "支援機能ごとの相談件数と支援事業数" in html
    assert ">秘匿</text>" in html and ">3</text>" in html  # 資金's total is withheld, 販路's shown


def test_the_csv_holds_the_numbers_of_the_page(year: Platform, client: HttpClient) -> None:
    client.force_login(year.users["cora"])
    html = client.get(reverse("reports:overview"), YEAR_QUERY).content.decode()
    response = client.get(reverse("reports:overview_download", args=["csv"]), YEAR_QUERY)
    assert response["Content-Type"].startswith("text/csv")
    assert "madoguchi-kpi-20250401-20260331.csv" in response["Content-Disposition"]
    blocks = _csv_blocks(response.content)
    assert blocks["終了した相談の成果"] == _table(html, "outcomes")
    assert blocks["相談と紹介"] == _table(html, "consultations")


def test_the_excel_file_holds_the_numbers_of_the_page(year: Platform, client: HttpClient) -> None:
    client.force_login(year.users["cora"])
    response = client.get(reverse("reports:coverage_download", args=["xlsx"]), YEAR_QUERY)
    book = load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in book["支援機能 × 事業段階"].iter_rows(min_row=3, values_only=True) if r[1]]
    assert ["資金・設備支援", "創業期", 5, 1, 1, "不足"] in rows
    assert ["資金・設備支援", "成長期", "3件未満", 0, 0, None] in rows
    html = client.get(reverse("reports:coverage"), YEAR_QUERY).content.decode()
    areas = [list(r) for r in book["市区町村"].iter_rows(min_row=3, max_col=5, values_only=True) if r[1] is not None]
    assert [[str(v) if v is not None else "" for v in r] for r in areas] == _table(html, "areas")
    assert book["条件"]["B2"].value == "2025-04-01 – 2026-03-31"


@pytest.mark.parametrize(("query", "message"), [
    ({"from": "2025/04/01", "to": "2026-03-31"}, "開始日は YYYY-MM-DD の形式の日付で入力してください"),
    ({"from": "2025-04-01", "to": "2026-02-30"}, "終了日は YYYY-MM-DD の形式の日付で入力してください"),
    ({"from": "2026-04-01", "to": "2026-03-31"}, "開始日（2026-04-01）が終了日（2026-03-31）より後になっています"),
    ({"municipality": "999999"}, "市区町村を一覧から選んでください"),
])
def test_bad_dates_are_refused_in_japanese(platform: Platform, client: HttpClient, query: dict[str, str], message: str) -> None:
    client.force_login(platform.users["cora"])
    for name in ("reports:overview", "reports:coverage"):
        response = client.get(reverse(name), query)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert client.get(reverse("reports:overview_download", args=["csv"]), query).status_code == 400


def test_an_empty_period_defaults_to_this_fiscal_year(platform: Platform, client: HttpClient) -> None:
    client.force_login(platform.users["cora"])
    response = client.get(reverse("reports:overview"))
    assert response.status_code == 200
    assert "4月1日から今日まで" in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_the_query_count_does_not_grow_with_the_cases(
    year: Platform, client: HttpClient, django_assert_max_num_queries: Any, name: str,
) -> None:
    client.force_login(year.users["cora"])
    client.get(reverse(name), YEAR_QUERY)  # warm up: session, language, permissions
    with django_assert_max_num_queries(40) as before:
        client.get(reverse(name), YEAR_QUERY)
    for day in range(1, 21):
        year.case(year.market, year.founding, dt.date(2025, 10, day), year.ishinomaki)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse(name), YEAR_QUERY)
