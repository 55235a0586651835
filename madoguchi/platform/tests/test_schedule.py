"""Schedule kinds (platform/schedule.py): the latest time a run was due and the next one, in Japan time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from madoguchi.platform.schedule import Daily, Every, Weekly, parse

JST = ZoneInfo("Asia/Tokyo")


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=JST)


def test_parse_reads_each_kind_and_off() -> None:
    assert parse("01:30") == Daily(dt.time(1, 30))
    assert parse(" 7:05 ") == Daily(dt.time(7, 5))
    assert parse("Mon 08:00") == Weekly(0, dt.time(8, 0))
    assert parse("sun 23:59") == Weekly(6, dt.time(23, 59))
    assert parse("300s") == parse("5m") == Every(300.0)
    assert parse("1h") == Every(3600.0)
    assert parse("off") is None


@pytest.mark.parametrize("bad", ["24:00", "1:3", "noon", "monday 08:00", "0s", "5 minutes", "", "mon"])
def test_parse_refuses_what_it_cannot_read(bad: str) -> None:
    with pytest.raises(ValueError):
        parse(bad)


def test_specs_read_back_as_the_same_schedule() -> None:
    for schedule in (Daily(dt.time(1, 30)), Weekly(0, dt.time(8, 0)), Every(300.0), Every(3600.0), Every(45.0)):
        assert parse(schedule.spec) == schedule


def test_describe_is_japanese() -> None:
    assert Daily(dt.time(3, 15)).describe() == "毎日 03:15"
    assert Weekly(0, dt.time(8, 0)).describe() == "毎週月曜 08:00"
    assert Every(300.0).describe() == "5 分ごと"


def test_daily_latest_is_today_once_the_time_has_come_and_yesterday_before() -> None:
    daily = Daily(dt.time(1, 30))
    assert daily.latest(jst(2026, 5, 1, 1, 30)) == jst(2026, 5, 1, 1, 30)
    assert daily.latest(jst(2026, 5, 1, 1, 29, 59)) == jst(2026, 4, 30, 1, 30)
    assert daily.latest(jst(2026, 5, 1, 23, 0)) == jst(2026, 5, 1, 1, 30)


def test_daily_around_midnight_in_japan_not_utc() -> None:
    # 00:10 JST is 15:10 UTC the day before: "today" is Japan's date.
    midnight = Daily(dt.time(0, 0))
    now = dt.datetime(2026, 4, 30, 15, 10, tzinfo=dt.UTC)  # 2026-05-01 00:10 JST
    assert midnight.latest(now) == jst(2026, 5, 1, 0, 0)
    assert midnight.next_after(now) == jst(2026, 5, 2, 0, 0)
    late = Daily(dt.time(23, 50))
    assert late.latest(now) == jst(2026, 4, 30, 23, 50)
    assert late.next_after(jst(2026, 4, 30, 23, 50)) == jst(2026, 5, 1, 23, 50)  # strictly after
    assert late.next_after(jst(2026, 4, 30, 23, 49)) == jst(2026, 4, 30, 23, 50)


def test_daily_in_japan_every_day_is_24_hours() -> None:
    # No daylight saving time in Asia/Tokyo: the schedule steps exactly one day, all year.
    daily = Daily(dt.time(2, 30))
    moment = jst(2026, 1, 1, 2, 30)
    for _ in range(366):
        following = daily.next_after(moment)
        assert following - moment == dt.timedelta(days=1)
        moment = following


def test_weekly_on_monday_at_eight() -> None:
    monday = Weekly(0, dt.time(8, 0))
    # 2026-05-04 is a Monday.
    assert monday.latest(jst(2026, 5, 4, 8, 0)) == jst(2026, 5, 4, 8, 0)
    assert monday.latest(jst(2026, 5, 4, 7, 59)) == jst(2026, 4, 27, 8, 0)
    assert monday.latest(jst(2026, 5, 10, 23, 0)) == jst(2026, 5, 4, 8, 0)  # the Sunday after
    assert monday.next_after(jst(2026, 5, 4, 8, 0)) == jst(2026, 5, 11, 8, 0)
    assert monday.next_after(jst(2026, 5, 6, 12, 0)) == jst(2026, 5, 11, 8, 0)
    assert monday.next_after(jst(2026, 5, 4, 7, 0)) == jst(2026, 5, 4, 8, 0)


def test_weekly_around_midnight_uses_japans_weekday() -> None:
    sunday_night = Weekly(6, dt.time(23, 30))
    now = dt.datetime(2026, 5, 3, 15, 0, tzinfo=dt.UTC)  # Monday 2026-05-04 00:00 JST, still Sunday in UTC
    assert sunday_night.latest(now) == jst(2026, 5, 3, 23, 30)
    assert sunday_night.next_after(now) == jst(2026, 5, 10, 23, 30)


def test_every_counts_from_the_given_moment() -> None:
    every = Every(300.0)
    now = jst(2026, 5, 1, 0, 2)
    assert every.latest(now) == jst(2026, 4, 30, 23, 57)
    assert every.next_after(now) == jst(2026, 5, 1, 0, 7)
