"""Status derivation at its boundaries: closes today at 17:00, 通年, no dates, 14 days."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from madoguchi.catalog.status import Status, Window, derive_status, is_stale, next_deadline

JST = ZoneInfo("Asia/Tokyo")


def at(day: int, hour: int = 12, minute: int = 0, month: int = 6) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=JST)


CLOSES_TODAY_17 = Window(at(1, 0, 0), at(20, 17, 0))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(20, 16, 59), Status.CLOSING_SOON),  # minutes before the deadline
        (at(20, 17, 0), Status.CLOSED),  # at 17:00 a 17:00 deadline has passed
        (at(6, 17, 0), Status.CLOSING_SOON),  # exactly 14 days before
        (at(6, 16, 59), Status.OPEN),  # a minute more than 14 days before
        (at(1, 0, 0), Status.OPEN),  # opening moment is included
        (dt.datetime(2026, 5, 31, 23, 59, tzinfo=JST), Status.UPCOMING),
    ],
)
def test_a_round_closing_today_at_17(now: dt.datetime, expected: Status) -> None:
    assert derive_status([CLOSES_TODAY_17], now) == expected


def test_year_round_no_dates_and_no_rounds() -> None:
    assert derive_status([Window(None, None, year_round=True)], at(1)) == Status.YEAR_ROUND
    assert derive_status([Window(None, None)], at(1)) == Status.UNKNOWN
    assert derive_status([], at(1)) == Status.UNKNOWN


def test_an_open_round_wins_over_year_round_and_a_later_round() -> None:
    rounds = [Window(None, None, year_round=True), Window(at(1), at(30)), Window(at(1, month=9), at(30, month=9))]
    assert derive_status(rounds, at(2)) == Status.OPEN
    # Between rounds: 通年 still accepts applications.
    assert derive_status(rounds[1:], at(15, month=7)) == Status.UPCOMING


def test_open_without_a_deadline_is_open_not_closing() -> None:
    assert derive_status([Window(at(1), None)], at(2)) == Status.OPEN


def test_next_deadline_is_the_coming_one_else_the_last() -> None:
    rounds = [Window(at(1), at(10)), Window(at(1, month=9), at(30, month=9))]
    assert next_deadline(rounds, at(5)) == at(10)
    assert next_deadline(rounds, at(1, month=10)) == at(30, month=9)


def test_stale_when_not_verified_in_time_or_closed(settings: Any) -> None:
    settings.PROGRAM_STALE_DAYS = 180
    today = dt.date(2026, 12, 1)
    assert is_stale(None, Status.OPEN, today)
    assert not is_stale(today - dt.timedelta(days=180), Status.OPEN, today)
    assert is_stale(today - dt.timedelta(days=181), Status.OPEN, today)
    assert is_stale(today, Status.CLOSED, today)
    settings.PROGRAM_STALE_DAYS = 30
    assert is_stale(today - dt.timedelta(days=31), Status.YEAR_ROUND, today)
