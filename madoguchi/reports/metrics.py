"""What the platform achieved in a period, and where support is missing: plain functions, no HTTP.

Every figure is an aggregate. A count of cases, referrals, introductions or registrations that
is 1 or 2 is reported as 「3件未満」 (`shown`), never as the number, so no figure can point at
one client. Anonymised cases keep municipality, stage, functions, outcome and dates
(cases/anonymise.py), so they count like any other. Supply — programs and institutions — is
public information and is never suppressed.

The page, its CSV and Excel downloads and `madoguchi report` all read these functions through
exports.py, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.cases.business_days import add_business_days, is_business_day
from madoguchi.cases.models import Case, Outcome, Referral
from madoguchi.directory.models import (
    BusinessStage,
    Field,
    Municipality,
    Organization,
    OrganizationFunction,
    Program,
    SupportFunction,
)
from madoguchi.events.models import Event, Registration
from madoguchi.matching.models import Introduction, Kind, Listing

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a type only: django-stubs-ext is a dev requirement

# Counts under this are shown as 「3件未満」: small cells identify people.
SMALL_CELL = 3
# A cell is a gap when it has at least SMALL_CELL consultations and no more than one program
# (or institution) for every GAP_RATIO of them: "high demand, little supply".
GAP_RATIO = 5
# Matching listings that ask for support rather than offer it: the only demand that records a
# field, since a consultation (Case) has none.
DEMAND_KINDS = (Kind.NEED, Kind.FUNDING)


def suppressed_label() -> str:
    return _("3件未満")


def shown(count: int) -> int | str:
    """The count as it may be published: 0 and counts of SMALL_CELL or more, else 「3件未満」."""
    return count if count == 0 or count >= SMALL_CELL else suppressed_label()


def withheld_label() -> str:
    return _("秘匿")


def shown_total(total: int, parts: list[int]) -> int | str:
    """A total beside its parts: withheld (「秘匿」) when a part is 「3件未満」, since the total
    minus the other parts would give that part away."""
    if any(0 < part < SMALL_CELL for part in parts):
        return withheld_label()
    return shown(total)


def is_gap(demand: int, supply: int) -> bool:
    return demand >= SMALL_CELL and supply * GAP_RATIO <= demand


def heat_level(demand: int, highest: int) -> int:
    """0 (none) to 4 (the busiest cells); a suppressed cell is never darker than level 1."""
    if demand <= 0 or highest <= 0:
        return 0
    if demand < SMALL_CELL:
        return 1
    return 1 + min(3, round(3 * demand / highest))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end + 1 day) as aware datetimes in Japan time."""
        tz = timezone.get_current_timezone()
        begin = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        return begin, dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    def q(self, name: str) -> Q:
        begin, stop = self.bounds()
        return Q(**{f"{name}__gte": begin, f"{name}__lt": stop})


def fiscal_year_to_date(today: dt.date | None = None) -> Period:
    """The current 年度 (April to March) up to today: the period a prefecture reports on."""
    today = today or timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    return Period(dt.date(year, 4, 1), today)


@dataclass(frozen=True)
class Filters:
    function: SupportFunction | None = None
    stage: BusinessStage | None = None
    municipality: Municipality | None = None

    def place_q(self, name: str) -> Q:
        """Within the municipality; a city includes its wards."""
        m = self.municipality
        return Q(**{name: m}) | Q(**{f"{name}__parent": m}) if m is not None else Q()


def filtered_cases(filters: Filters) -> QuerySet[Case]:
    cases = Case.objects.filter(filters.place_q("municipality"))
    if filters.stage is not None:
        cases = cases.filter(stage=filters.stage)
    if filters.function is not None:
        # A subquery, not a join: a case asking for several functions still counts once.
        cases = cases.filter(pk__in=Case.functions.through.objects.filter(supportfunction=filters.function).values("case_id"))
    return cases


# ---- KPIs --------------------------------------------------------------------------


@dataclass
class ReferralFigures:
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    unanswered: int = 0
    overdue: int = 0
    median_days: float | None = None  # business days from sending to the answer


@dataclass
class Kpis:
    period: Period
    filters: Filters
    consultations: int = 0
    referrals: ReferralFigures = field(default_factory=ReferralFigures)
    closed: int = 0
    outcomes: list[tuple[str, int]] = field(default_factory=list)  # (label, count) in Outcome order
    introductions: list[tuple[str, int]] = field(default_factory=list)  # (status label, count)
    introduction_outcomes: list[tuple[str, int]] = field(default_factory=list)
    events_held: int = 0
    events_cancelled: int = 0
    registrations: list[tuple[str, int]] = field(default_factory=list)
    attended: int = 0  # confirmed registrations of events that have ended


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end` (an answer on the same day is 0)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += is_business_day(day)
    return days


def referral_figures(referrals: QuerySet[Referral], today: dt.date | None = None) -> ReferralFigures:
    """Sent, accepted, declined, unanswered and overdue referrals, and the median days to answer.

    A referral is answered once, by accepting or declining (responded_at); the audit history tells
    which, since a declined or accepted referral may later be closed. Overdue means answered after
    the REFERRAL_ANSWER_DAYS deadline, or still unanswered past it.
    """
    today = today or timezone.localdate()
    limit = settings.REFERRAL_ANSWER_DAYS
    declined_ids = set(Referral.history.filter(status=Referral.Status.DECLINED, id__in=referrals.values("pk"))
                       .values_list("id", flat=True))
    figures = ReferralFigures()
    waits: list[int] = []
    for pk, created, responded_at in referrals.values_list("pk", "created", "responded_at").iterator():
        figures.sent += 1
        sent_on = timezone.localdate(created)
        answered_on = timezone.localdate(responded_at) if responded_at else None
        if answered_on is None:
            figures.unanswered += 1
        else:
            waits.append(business_days_between(sent_on, answered_on))
            if pk in declined_ids:
                figures.declined += 1
            else:
                figures.accepted += 1
        if (answered_on or today) > add_business_days(sent_on, limit):
            figures.overdue += 1
    # A median of one or two answers would be those answers themselves.
    if len(waits) >= SMALL_CELL:
        figures.median_days = float(statistics.median(waits))
    return figures


def _choice_counts(rows: QuerySet[Any], name: str, choices: Sequence[tuple[str, StrOrPromise]]) -> list[tuple[str, int]]:
    """(label, count) for every choice of the field `name`, in the choices' order, zeros included."""
    counts = dict(rows.values_list(name).annotate(n=Count("pk")).order_by())
    return [(str(label), counts.get(value, 0)) for value, label in choices]


def _outcome_counts(cases: QuerySet[Case]) -> list[tuple[str, int]]:
    return _choice_counts(cases, "outcome", Outcome.choices)


def kpis(period: Period, filters: Filters | None = None, *, today: dt.date | None = None) -> Kpis:
    """The platform's achievements in `period` (consultations, referrals, outcomes, matching, events)."""
    filters = filters or Filters()
    cases = filtered_cases(filters)
    result = Kpis(period=period, filters=filters)
    result.consultations = cases.filter(period.q("created")).count()
    result.referrals = referral_figures(Referral.objects.filter(period.q("created"), case__in=cases), today)
    closed = cases.filter(period.q("closed_at"), status=Case.Status.CLOSED)
    result.closed = closed.count()
    result.outcomes = _outcome_counts(closed)

    # Matching: introductions asked for in the period (not filtered: listings carry no case
    # function), and the outcomes of the cases the consented ones became.
    intros = Introduction.objects.filter(period.q("created"))
    result.introductions = _choice_counts(intros, "status", Introduction.Status.choices)
    refs = []
    for ref in intros.exclude(case_ref="").values_list("case_ref", flat=True):
        try:
            refs.append(uuid.UUID(ref))
        except ValueError:
            continue
    result.introduction_outcomes = _outcome_counts(Case.objects.filter(code__in=refs, status=Case.Status.CLOSED))

    events = Event.objects.filter(period.q("starts_at"), filters.place_q("municipality")).exclude(status=Event.Status.DRAFT)
    if filters.function is not None:
        events = events.filter(pk__in=Event.functions.through.objects.filter(supportfunction=filters.function).values("event_id"))
    if filters.stage is not None:
        events = events.filter(pk__in=Event.stages.through.objects.filter(businessstage=filters.stage).values("event_id"))
    held = events.filter(status=Event.Status.PUBLISHED)
    result.events_held = held.count()
    result.events_cancelled = events.filter(status=Event.Status.CANCELLED).count()
    registrations = Registration.objects.filter(event__in=held)
    result.registrations = _choice_counts(registrations, "status", Registration.Status.choices)
    # There is no roll-call: a confirmed place at an event that is over is the attendance figure.
    result.attended = registrations.filter(status=Registration.Status.CONFIRMED, event__ends_at__lte=timezone.now()).count()
    return result


# ---- coverage: demand against supply ---------------------------------------------------


@dataclass
class CoverageCell:
    demand: int
    programs: int
    institutions: int
    gap: bool
    heat: int

    @property
    def shown_demand(self) -> int | str:
        return shown(self.demand)


@dataclass
class CoverageRow:
    label: str
    code: str
    cells: list[CoverageCell]


@dataclass
class AreaRow:
    label: str
    code: str
    demand: int
    institutions: int
    programs: int
    gap: bool


@dataclass
class Coverage:
    period: Period
    filters: Filters
    stages: list[BusinessStage]
    matrix: list[CoverageRow]  # one row per support function, one cell per stage
    # (function, cases, programs): the chart. The cases are withheld (-1) when a cell of the row is
    # under SMALL_CELL, since the row's total minus its other cells would give that cell away.
    function_totals: list[tuple[SupportFunction, int, int]]
    without_stage: int
    fields: list[CoverageRow]  # one row per field, a single cell
    areas: list[AreaRow]


def _programs_in_reach(filters: Filters) -> QuerySet[Program]:
    """Programs open to clients of the chosen municipality: no area restriction, or that place."""
    programs = Program.objects.all()
    m = filters.municipality
    if m is not None:
        places = Municipality.objects.filter(Q(pk=m.pk) | Q(parent=m) | Q(pk=m.parent_id or 0))
        restricted = Program.eligibility_area.through.objects.values("program_id")
        programs = programs.filter(~Q(pk__in=restricted) | Q(eligibility_area__in=places)).distinct()
    return programs


def coverage(period: Period, filters: Filters | None = None) -> Coverage:
    """Consultations by function × stage, field and municipality against the programs and
    institutions offering them, with the gaps flagged. Filters: the municipality only."""
    filters = Filters(municipality=(filters or Filters()).municipality)
    cases = filtered_cases(filters).filter(period.q("created"))
    functions = list(SupportFunction.objects.order_by("order"))
    stages = list(BusinessStage.objects.order_by("order"))

    # Demand: a case asking for two functions counts once in each.
    links = Case.functions.through.objects.filter(case__in=cases)
    demand = Counter({(f, s): n for f, s, n in links.values_list("supportfunction_id", "case__stage_id")
                      .annotate(n=Count("case_id", distinct=True)).order_by()})
    # A case has one stage (or none, keyed None), so a function's cases are the sum of its cells.
    per_function: Counter[int] = Counter()
    for (f, _s), n in demand.items():
        per_function[f] += n
    without_stage = cases.filter(stage__isnull=True).count()

    # Supply: programs tagged with the function and the stage; institutions running such a
    # program, or offering the function themselves to that stage.
    programs = _programs_in_reach(filters)
    program_org = dict(programs.values_list("pk", "organization_id"))
    program_functions: dict[int, set[int]] = defaultdict(set)
    for p, f in Program.functions.through.objects.filter(program_id__in=program_org).values_list("program_id", "supportfunction_id"):
        program_functions[p].add(f)
    program_stages: dict[int, set[int]] = defaultdict(set)
    for p, s in Program.stages.through.objects.filter(program_id__in=program_org).values_list("program_id", "businessstage_id"):
        program_stages[p].add(s)
    org_functions: dict[int, set[int]] = defaultdict(set)
    for o, f in OrganizationFunction.objects.values_list("organization_id", "function_id"):
        org_functions[o].add(f)
    org_stages: dict[int, set[int]] = defaultdict(set)
    for o, s in Organization.stages.through.objects.values_list("organization_id", "businessstage_id"):
        org_stages[o].add(s)
    supply_programs: Counter[tuple[int, int]] = Counter()
    supply_orgs: dict[tuple[int, int], set[int]] = defaultdict(set)
    programs_per_function: Counter[int] = Counter()
    for p, fs in program_functions.items():
        for f in fs:
            programs_per_function[f] += 1
            for s in program_stages.get(p, ()):
                supply_programs[(f, s)] += 1
                supply_orgs[(f, s)].add(program_org[p])
    for o, fs in org_functions.items():
        for f in fs:
            for s in org_stages.get(o, ()):
                supply_orgs[(f, s)].add(o)

    highest = max(demand.values(), default=0)
    matrix = []
    for f in functions:
        cells = []
        for stage in stages:
            d, p = demand.get((f.pk, stage.pk), 0), supply_programs.get((f.pk, stage.pk), 0)
            cells.append(CoverageCell(d, p, len(supply_orgs.get((f.pk, stage.pk), ())), is_gap(d, p), heat_level(d, highest)))
        matrix.append(CoverageRow(str(f.get_code_display()), f.code, cells))
    function_totals = [
        (f, -1 if any(0 < cell.demand < SMALL_CELL for cell in row.cells) else per_function.get(f.pk, 0),
         programs_per_function.get(f.pk, 0))
        for f, row in zip(functions, matrix, strict=True)
    ]

    return Coverage(
        period=period, filters=filters, stages=stages, matrix=matrix, function_totals=function_totals,
        without_stage=without_stage, fields=_field_rows(period, programs), areas=_area_rows(cases, filters),
    )


def _field_rows(period: Period, programs: QuerySet[Program]) -> list[CoverageRow]:
    """Demand by field from the matching listings that ask for support (cases record no field)."""
    listings = Listing.objects.filter(period.q("created"), kind__in=DEMAND_KINDS)
    demand = dict(Listing.fields.through.objects.filter(listing__in=listings).values_list("field_id")
                  .annotate(n=Count("listing_id", distinct=True)).order_by())
    # One pass over the programs' fields gives both the programs and their institutions per field.
    field_programs: dict[int, set[int]] = defaultdict(set)
    orgs: dict[int, set[int]] = defaultdict(set)
    for f, p, o in Program.fields.through.objects.filter(program_id__in=programs.values("pk")).values_list(
            "field_id", "program_id", "program__organization_id"):
        field_programs[f].add(p)
        orgs[f].add(o)
    for f, o in Organization.fields.through.objects.values_list("field_id", "organization_id"):
        orgs[f].add(o)
    fields = list(Field.objects.order_by("order", "pk"))
    highest = max(demand.values(), default=0)
    rows = []
    for fld in fields:
        d, p = demand.get(fld.pk, 0), len(field_programs.get(fld.pk, ()))
        rows.append(CoverageRow(str(fld), fld.code, [CoverageCell(d, p, len(orgs.get(fld.pk, ())), is_gap(d, p), heat_level(d, highest))]))
    return rows


def _area_rows(cases: QuerySet[Case], filters: Filters) -> list[AreaRow]:
    """Consultations per city (wards counted in their city) against the institutions located there
    and the programs reserved for it; places with neither are left out."""
    demand: Counter[int] = Counter()
    for m_id, parent_id, n in cases.filter(municipality__isnull=False).values_list(
            "municipality_id", "municipality__parent_id").annotate(n=Count("pk")).order_by():
        demand[parent_id or m_id] += n
    institutions: Counter[int] = Counter()
    for m_id, parent_id, n in Organization.objects.filter(municipality__isnull=False).values_list(
            "municipality_id", "municipality__parent_id").annotate(n=Count("pk")).order_by():
        institutions[parent_id or m_id] += n
    reserved: dict[int, set[int]] = defaultdict(set)
    for m_id, parent_id, p in Program.eligibility_area.through.objects.values_list(
            "municipality_id", "municipality__parent_id", "program_id"):
        reserved[parent_id or m_id].add(p)
    ids = set(demand) | set(institutions) | set(reserved)
    if filters.municipality is not None:
        ids &= {filters.municipality.city.pk}
    rows = []
    for m in Municipality.objects.filter(pk__in=ids).order_by("code"):
        d, i = demand.get(m.pk, 0), institutions.get(m.pk, 0)
        rows.append(AreaRow(str(m), m.code, d, i, len(reserved.get(m.pk, ())), is_gap(d, i)))
    return rows
