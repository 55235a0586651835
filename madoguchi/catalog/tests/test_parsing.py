"""Every column's values, good and bad, with the Japanese message a row error shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from madoguchi.catalog import parsing


@pytest.mark.parametrize(
    ("text", "yen"),
    [("5000000", 5_000_000), ("5,000,000円", 5_000_000), ("1,000万円", 10_000_000), ("1億円", 100_000_000),
     ("1億5,000万円", 150_000_000), ("50万", 500_000), ("1.5億円", 150_000_000), ("3000万円以内", 30_000_000)],
)
def test_amounts(text: str, yen: int) -> None:
    assert parsing.parse_amount(parsing.clean(text)) == yen


@pytest.mark.parametrize("text", ["たくさん", "1億円くらい", "-100", "万円", "1.23456万円"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ValueError, match="金額"):
        parsing.parse_amount(text)


def test_rates_are_kept_as_fractions_and_comparable() -> None:
    assert parsing.parse_rate("2/3") == (2, 3, Decimal("0.6667"), "2/3")
    assert parsing.parse_rate("1/2以内")[:3] == (1, 2, Decimal("0.5000"))
    assert parsing.parse_rate("10/10")[2] == Decimal("1.0000")
    assert parsing.parse_rate("50%")[:2] == (1, 2)
    assert parsing.parse_rate("定額") == (None, None, None, "定額")
    two_thirds, half = parsing.parse_rate("2/3")[2], parsing.parse_rate("1/2")[2]
    assert two_thirds is not None and half is not None and two_thirds > half


@pytest.mark.parametrize("text", ["3/2", "2/0", "三分の二", "約半分"])
def test_bad_rates(text: str) -> None:
    with pytest.raises(ValueError, match="補助率"):
        parsing.parse_rate(text)


def test_moments_are_japan_time_and_a_bare_deadline_closes_at_the_end_of_the_day() -> None:
    closes = parsing.parse_moment("2026-06-30", end_of_day=True)
    assert (closes.hour, closes.minute, closes.utcoffset()) == (23, 59, dt.timedelta(hours=9))
    assert parsing.parse_moment("2026-06-30 17:00", end_of_day=True).hour == 17
    assert parsing.parse_moment("2026/4/1", end_of_day=False).hour == 0


@pytest.mark.parametrize("text", ["2026-02-30", "令和8年4月1日", "2026-13-01 10:00", "2026-04-01 25:00"])
def test_bad_moments(text: str) -> None:
    with pytest.raises(ValueError, match="日時"):
        parsing.parse_moment(text, end_of_day=True)


def test_dates() -> None:
    assert parsing.parse_date("2026-03-15") == dt.date(2026, 3, 15)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parsing.parse_date("2026-03-15 10:00")
    with pytest.raises(ValueError, match="存在しない"):
        parsing.parse_date("2026-02-29")


def test_employees() -> None:
    assert parsing.parse_employees("300人以下") == 300
    assert parsing.parse_employees(parsing.clean("２０名")) == 20
    with pytest.raises(ValueError, match="対象従業員数"):
        parsing.parse_employees("小規模")


def test_industries_by_letter_or_name() -> None:
    assert parsing.parse_industries("G;E") == "EG"
    assert parsing.parse_industries("製造業、情報通信業") == "EG"
    with pytest.raises(ValueError, match="日本標準産業分類"):
        parsing.parse_industries("Z")


def test_types() -> None:
    assert parsing.parse_type("補助金") == "subsidy"
    assert parsing.parse_type("セミナー・研修") == "training"
    with pytest.raises(ValueError, match="補助金、助成金"):
        parsing.parse_type("ローン")


def test_area_codes() -> None:
    assert parsing.parse_area_codes("040002;041009;040002") == "040002 041009"
    with pytest.raises(ValueError, match="チェックデジット"):
        parsing.parse_area_codes("040002;041008")


@pytest.mark.parametrize("text", ["www.example.jp", "ftp://example.jp/", "https://例 です", "javascript:alert(1)"])
def test_bad_urls(text: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        parsing.parse_url(text)
