"""The catalog's queries in SQL: open on a day, stale on a day, serving an area.

They mirror status.py (a test checks both agree); `programs_*` helpers take and return
directory.Program querysets so search and pages can filter programs directly.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from madoguchi.catalog import areas
from madoguchi.catalog.status import stale_days


def _rounds() -> QuerySet:
    """Every CallRound. Looked up by name: models.py imports this module for its manager."""
    return apps.get_model("catalog", "CallRound")._default_manager.all()


def _moment(when: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when
    return timezone.make_aware(dt.datetime.combine(when, dt.time(12, 0)))


def open_rounds(when: dt.date | dt.datetime) -> QuerySet:
    """Rounds accepting applications at `when` (a date means noon that day); 通年 is not 受付中."""
    now = _moment(when)
    return _rounds().filter(year_round=False).filter(
        Q(opens_at__isnull=False) | Q(closes_at__isnull=False),
        Q(opens_at__isnull=True) | Q(opens_at__lte=now),
        Q(closes_at__isnull=True) | Q(closes_at__gt=now),
    )


def _still_running(now: dt.datetime) -> QuerySet:
    """Rounds that have not closed: open, coming, 通年 or without a deadline."""
    return _rounds().filter(Q(year_round=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=now))


def area_q(municipality_code: str, prefix: str = "") -> Q:
    """Programs serving a municipality: national ones, and those naming it, its city or prefecture."""
    field = f"{prefix}area_codes"
    condition = Q(**{field: ""})
    for code in areas.ancestors(municipality_code):
        condition |= Q(**{f"{field}__contains": code})
    return condition


class CatalogEntryQuerySet(QuerySet):
    def open_on(self, when: dt.date | dt.datetime) -> CatalogEntryQuerySet:
        return self.filter(Exists(open_rounds(when).filter(entry=OuterRef("pk"))))

    def stale(self, today: dt.date) -> CatalogEntryQuerySet:
        """要確認: not verified in PROGRAM_STALE_DAYS, or every round has closed."""
        now = _moment(today)
        cutoff = today - dt.timedelta(days=stale_days())
        has_rounds = Exists(_rounds().filter(entry=OuterRef("pk")))
        running = Exists(_still_running(now).filter(entry=OuterRef("pk")))
        return self.filter(
            Q(program__verified_at__isnull=True) | Q(program__verified_at__lt=cutoff) | (has_rounds & ~running)
        )

    def serving(self, municipality_code: str) -> CatalogEntryQuerySet:
        return self.filter(area_q(municipality_code))


def programs_open_on(programs: QuerySet, when: dt.date | dt.datetime) -> QuerySet:
    return programs.filter(Exists(open_rounds(when).filter(entry__program=OuterRef("pk"))))


def programs_serving(programs: QuerySet, municipality_code: str) -> QuerySet:
    return programs.filter(area_q(municipality_code, prefix="catalog__"))
