"""The derived status of a program from its call rounds, and whether it needs checking (要確認).

Plain functions over plain values, so the boundaries (closes today at 17:00, 通年, no dates)
are tested without a database. The queryset methods in querysets.py say the same in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# 締切間近: the round closes within this many days.
CLOSING_SOON = dt.timedelta(days=14)


class Status(models.TextChoices):
    UPCOMING = "upcoming", _("予定")
    OPEN = "open", _("受付中")
    CLOSING_SOON = "closing_soon", _("締切間近")
    CLOSED = "closed", _("終了")
    YEAR_ROUND = "year_round", _("通年")
    UNKNOWN = "unknown", _("不明")


OPEN_STATUSES = (Status.OPEN, Status.CLOSING_SOON)


@dataclass(frozen=True)
class Window:
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    year_round: bool = False

    def is_open(self, now: dt.datetime) -> bool:
        """Open from opens_at (inclusive) until closes_at (exclusive: at 17:00 a 17:00 deadline has passed)."""
        if self.year_round or (self.opens_at is None and self.closes_at is None):
            return False
        started = self.opens_at is None or self.opens_at <= now
        return started and (self.closes_at is None or now < self.closes_at)


def derive_status(rounds: Iterable[Window], now: dt.datetime) -> Status:
    """An open round wins (締切間近 when it closes within 14 days), then 通年, then 予定, then 終了.

    No round, or rounds without any date, is 不明: nobody said when one can apply.
    """
    windows = list(rounds)
    open_rounds = [w for w in windows if w.is_open(now)]
    if open_rounds:
        closes = [w.closes_at for w in open_rounds]
        if all(c is not None for c in closes) and max(c for c in closes if c) - now <= CLOSING_SOON:
            return Status.CLOSING_SOON
        return Status.OPEN
    if any(w.year_round for w in windows):
        return Status.YEAR_ROUND
    if any(w.opens_at is not None and w.opens_at > now for w in windows):
        return Status.UPCOMING
    if any(w.closes_at is not None and w.closes_at <= now for w in windows):
        return Status.CLOSED
    return Status.UNKNOWN


def next_deadline(rounds: Iterable[Window], now: dt.datetime) -> dt.datetime | None:
    """The deadline to show: the open round's close, else the next round's, else the last one."""
    windows = [w for w in rounds if w.closes_at is not None and not w.year_round]
    coming = sorted(w.closes_at for w in windows if w.closes_at and w.closes_at > now)
    if coming:
        return coming[0]
    past = sorted(w.closes_at for w in windows if w.closes_at)
    return past[-1] if past else None


def stale_days() -> int:
    return int(getattr(settings, "PROGRAM_STALE_DAYS", 180))


def is_stale(verified_at: dt.date | None, status: Status, today: dt.date) -> bool:
    """要確認: not verified within PROGRAM_STALE_DAYS, or its last round has closed."""
    if status == Status.CLOSED:
        return True
    return verified_at is None or (today - verified_at).days > stale_days()
