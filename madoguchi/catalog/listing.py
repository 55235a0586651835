"""The program list in SQL: the ProgramFilters as a queryset, open calls first, soonest deadline next.

The list pages count and page in the database (a page of 20 of 10^5 programs); the search does
the same filters on its index (search.program_columns). Both follow catalog.filters' definitions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from madoguchi.catalog.filters import ProgramFilters
from madoguchi.catalog.querysets import area_q, open_rounds

JST = ZoneInfo("Asia/Tokyo")


def _rounds(program_ref: str = "pk") -> QuerySet:
    from madoguchi.catalog.models import CallRound

    return CallRound.objects.filter(entry__program=OuterRef(program_ref))


def filter_programs(programs: QuerySet, filters: ProgramFilters, now: dt.datetime | None = None) -> QuerySet:
    """`programs` (directory.Program) narrowed by the filters; any filter keeps catalog programs only."""
    now = now or timezone.now()
    if not filters.active:
        return programs
    programs = programs.filter(catalog__isnull=False)
    if filters.open:
        programs = programs.filter(Exists(open_rounds(now).filter(entry__program=OuterRef("pk"))))
    if filters.closes_before is not None:
        end = dt.datetime.combine(filters.closes_before, dt.time.max, tzinfo=JST)
        programs = programs.filter(Exists(_rounds().filter(year_round=False, closes_at__gt=now, closes_at__lte=end)))
    if filters.area is not None:
        programs = programs.filter(area_q(filters.area, prefix="catalog__"))
    if filters.type is not None:
        programs = programs.filter(catalog__type=filters.type)
    if filters.amount_min is not None:
        programs = programs.filter(catalog__amount_max__gte=filters.amount_min)
    if filters.employees is not None:
        programs = programs.filter(Q(catalog__max_employees__isnull=True) | Q(catalog__max_employees__gte=filters.employees))
    return programs


def open_first(programs: QuerySet, now: dt.datetime | None = None) -> QuerySet:
    """Open calls first, each group by its coming deadline (none last), then by name."""
    now = now or timezone.now()
    is_open = Exists(open_rounds(now).filter(entry__program=OuterRef("pk")))
    coming = Subquery(
        _rounds().filter(year_round=False, closes_at__gt=now).values("entry__program")
        .annotate(first=Min("closes_at")).values("first")[:1]
    )
    return programs.annotate(is_open=is_open, next_close=coming).order_by(
        F("is_open").desc(), F("next_close").asc(nulls_last=True), "name", "pk"
    )


def with_facts(programs: Any, now: dt.datetime | None = None) -> list[Any]:
    """The page's programs, each with `.facts` (status, deadline, amount) for the rows."""
    from madoguchi.catalog.models import CatalogEntry
    from madoguchi.catalog.presentation import program_facts

    rows = list(programs)
    for program in rows:
        try:
            entry = program.catalog
        except CatalogEntry.DoesNotExist:
            entry = None
        program.facts = program_facts(program, entry, now)
        program.entry = entry
    return rows
