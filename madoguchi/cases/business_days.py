"""Business days as Japanese public offices count them (行政機関の休日に関する法律):
not Saturdays, Sundays, national holidays (the `holidays` package's JP calendar), nor the
year-end break 12/29–1/3.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _japanese_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def is_business_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return False
    return day not in _japanese_holidays(day.year)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """Return the date `days` business days after `start` (start itself is not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day
