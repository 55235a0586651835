"""When a job of the worker is due: every N seconds, daily at HH:MM, or weekly on a weekday at HH:MM.

A schedule answers two questions about a moment `now`: the latest time at or before it when a run
was due (`latest`, which the lock's claim compares with the job's last run, so a worker that was
down at that time runs the job once when it comes back, not once per missed day), and the first
time after a given moment when a run is due (`next_after`, shown by `madoguchi worker --list-jobs`).

Times of day are in settings.TIME_ZONE. Asia/Tokyo has no daylight saving time, so every day has
each minute exactly once; under a zone with DST a time in the spring gap is taken as the same
clock reading an hour later, and a time repeated in autumn still runs once (a run is due when the
last one is older than `latest`, whatever the clock says).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("月", "火", "水", "木", "金", "土", "日")
_UNITS = {"s": 1, "m": 60, "h": 3600}


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    """`time` on `day` in the site's time zone, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, time))


@dataclass(frozen=True)
class Every:
    """Every `seconds`, counted from the end of the last run that succeeded."""

    seconds: float
    calendar = False  # a job never run is due at once

    def latest(self, now: dt.datetime) -> dt.datetime:
        return now - dt.timedelta(seconds=self.seconds)

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        return moment + dt.timedelta(seconds=self.seconds)

    @property
    def spec(self) -> str:
        seconds = int(self.seconds)
        for unit, size in (("h", 3600), ("m", 60)):
            if seconds == self.seconds and seconds % size == 0:
                return f"{seconds // size}{unit}"
        return f"{self.seconds:g}s"

    def describe(self) -> str:
        seconds = self.seconds
        if seconds % 3600 == 0:
            return f"{seconds / 3600:g} 時間ごと"
        if seconds % 60 == 0:
            return f"{seconds / 60:g} 分ごと"
        return f"{seconds:g} 秒ごと"


@dataclass(frozen=True)
class Daily:
    """Every day at `at` (local time)."""

    at: dt.time
    calendar = True  # a job seen for the first time waits for its first time of day

    def latest(self, now: dt.datetime) -> dt.datetime:
        today = timezone.localtime(now).date()
        moment = _at(today, self.at)
        return moment if moment <= now else _at(today - dt.timedelta(days=1), self.at)

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        day = timezone.localtime(moment).date()
        candidate = _at(day, self.at)
        return candidate if candidate > moment else _at(day + dt.timedelta(days=1), self.at)

    @property
    def spec(self) -> str:
        return f"{self.at:%H:%M}"

    def describe(self) -> str:
        return f"毎日 {self.at:%H:%M}"


@dataclass(frozen=True)
class Weekly:
    """Every week on `weekday` (0 = Monday) at `at` (local time)."""

    weekday: int
    at: dt.time
    calendar = True

    def latest(self, now: dt.datetime) -> dt.datetime:
        today = timezone.localtime(now).date()
        day = today - dt.timedelta(days=(today.weekday() - self.weekday) % 7)
        moment = _at(day, self.at)
        return moment if moment <= now else _at(day - dt.timedelta(days=7), self.at)

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        today = timezone.localtime(moment).date()
        day = today + dt.timedelta(days=(self.weekday - today.weekday()) % 7)
        candidate = _at(day, self.at)
        return candidate if candidate > moment else _at(day + dt.timedelta(days=7), self.at)

    @property
    def spec(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.at:%H:%M}"

    def describe(self) -> str:
        return f"毎週{WEEKDAY_LABELS[self.weekday]}曜 {self.at:%H:%M}"


Schedule = Every | Daily | Weekly

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_EVERY = re.compile(r"^(\d+)\s*([smh])$")


def _time_of_day(text: str) -> dt.time:
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time of day HH:MM (00:00–23:59)")
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse(spec: str) -> Schedule | None:
    """"01:30" (daily), "mon 08:00" (weekly), "300s" / "5m" / "1h" (every), or "off" (None).

    Raises ValueError with the reason for anything else.
    """
    text = " ".join(spec.strip().lower().split())
    if text == "off":
        return None
    every = _EVERY.match(text)
    if every:
        seconds = int(every.group(1)) * _UNITS[every.group(2)]
        if seconds <= 0:
            raise ValueError(f"{spec!r}: an interval must be longer than 0")
        return Every(float(seconds))
    day, _, time = text.rpartition(" ")
    if not day:
        return Daily(_time_of_day(time))
    if day not in WEEKDAYS:
        raise ValueError(f"{spec!r}: the weekday must be one of {', '.join(WEEKDAYS)}")
    return Weekly(WEEKDAYS.index(day), _time_of_day(time))
