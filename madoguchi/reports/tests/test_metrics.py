"""The figures of a known year: KPIs, the coverage matrix, gaps and suppression (no HTTP)."""

from __future__ import annotations

import datetime as dt

from madoguchi.cases.models import Case, Referral
from madoguchi.directory.models import Field, Program
from madoguchi.events.models import Event, Registration
from madoguchi.reports import exports, metrics
from madoguchi.reports.tests.conftest import YEAR, Platform, at


def _cell(coverage: metrics.Coverage, function: str, stage_code: str) -> metrics.CoverageCell:
    row = next(r for r in coverage.matrix if r.code == function)
    return row.cells[[s.code for s in coverage.stages].index(stage_code)]


def test_a_known_year_gives_the_expected_kpis(year: Platform) -> None:
    kpis = metrics.kpis(YEAR)
    assert kpis.consultations == 10  # the case of the year before is not counted
    assert kpis.closed == 4
    assert dict(kpis.outcomes)["融資実行"] == 3  # the anonymised case still counts
    assert dict(kpis.outcomes)["創業"] == 1


def test_the_kpi_table_suppresses_small_counts(year: Platform) -> None:
    outcomes = {row[0]: row[1] for row in exports.kpi_tables(metrics.kpis(YEAR))[1].rows}
    assert outcomes["融資実行"] == 3
    assert outcomes["創業"] == "3件未満"
    assert outcomes["共同研究開始"] == 0
    # 4 − 3 would give the 創業 count away, so the total is withheld while a part is under 3.
    assert outcomes["合計"] == "秘匿"


def test_a_total_is_shown_when_no_part_is_small(year: Platform) -> None:
    for case in Case.objects.filter(status=Case.Status.NEW, functions=year.market).order_by("created")[:2]:
        year.close(case, "founded", dt.date(2026, 2, 2))
    outcomes = {row[0]: row[1] for row in exports.kpi_tables(metrics.kpis(YEAR))[1].rows}
    assert (outcomes["融資実行"], outcomes["創業"], outcomes["合計"]) == (3, 3, 6)


def test_filters_narrow_the_kpis(year: Platform) -> None:
    assert metrics.kpis(YEAR, metrics.Filters(function=year.market)).consultations == 3
    assert metrics.kpis(YEAR, metrics.Filters(stage=year.founding)).consultations == 5
    # 仙台市 includes its ward 青葉区, where the founding and finance × growth cases are.
    assert metrics.kpis(YEAR, metrics.Filters(municipality=year.sendai)).consultations == 7


def test_referrals_are_counted_with_answers_overdue_and_median_days(year: Platform) -> None:
    cases = list(Case.objects.filter(status=Case.Status.NEW, stage=year.founding).order_by("created")[:2])
    cases += list(Case.objects.filter(status=Case.Status.NEW, stage=year.growth).order_by("created")[:2])
    alice, bob = year.users["alice"], year.users["bob"]
    sent_on = dt.date(2025, 6, 2)  # a Monday; the answer is due by Thursday 6/5 (3 business days)
    answers = [("accept", dt.date(2025, 6, 3)), ("accept", dt.date(2025, 6, 4)), ("decline", dt.date(2025, 6, 9)), (None, None)]
    for case, (action, answered_on) in zip(cases, answers, strict=True):
        referral = case.refer(by=alice, to_org=year.org_b)
        if action == "accept":
            referral.accept(by=bob, expected_version=1)
        elif action == "decline":
            referral.decline(by=bob, expected_version=1, reason="対象外")
        Referral.objects.filter(pk=referral.pk).update(
            created=at(sent_on), responded_at=at(answered_on) if answered_on else None)
    figures = metrics.kpis(YEAR, today=dt.date(2025, 7, 1)).referrals
    assert (figures.sent, figures.accepted, figures.declined, figures.unanswered) == (4, 2, 1, 1)
    assert figures.overdue == 2  # declined on day 5, and the one never answered
    assert figures.median_days == 2  # of 1, 2 and 5 business days


def test_a_median_of_fewer_than_three_answers_is_not_published(year: Platform) -> None:
    case = Case.objects.filter(status=Case.Status.NEW).first()
    assert case is not None
    referral = case.refer(by=year.users["alice"], to_org=year.org_b)
    referral.accept(by=year.users["bob"], expected_version=1)
    Referral.objects.filter(pk=referral.pk).update(created=at(dt.date(2025, 6, 2)), responded_at=at(dt.date(2025, 6, 3)))
    rows = dict(exports.kpi_tables(metrics.kpis(YEAR))[0].rows)
    assert rows["受諾された紹介"] == "3件未満"
    assert rows["送った紹介"] == "秘匿"  # else 1 sent − 0 declined − 0 unanswered = 1 accepted
    assert rows["回答までの営業日数（中央値）"] == "—（回答3件未満）"


def test_the_coverage_matrix_has_the_expected_cells(year: Platform) -> None:
    coverage = metrics.coverage(YEAR)
    cell = _cell(coverage, "finance", "startup")
    assert (cell.demand, cell.programs, cell.institutions) == (5, 1, 1)
    cell = _cell(coverage, "market", "growth")
    assert (cell.demand, cell.programs, cell.institutions) == (3, 2, 2)
    assert _cell(coverage, "market", "startup").demand == 0


def test_high_demand_with_little_supply_is_flagged_as_a_gap(year: Platform) -> None:
    coverage = metrics.coverage(YEAR)
    assert _cell(coverage, "finance", "startup").gap
    assert not _cell(coverage, "market", "growth").gap
    assert not _cell(coverage, "finance", "growth").gap  # no program, but too few cases to judge
    rows = exports.coverage_tables(coverage)[0].rows
    assert ["資金・設備支援", "創業期", 5, 1, 1, "不足"] in rows
    assert ["販路開拓支援", "成長期", 3, 2, 2, ""] in rows


def test_a_small_cell_is_suppressed(year: Platform) -> None:
    coverage = metrics.coverage(YEAR)
    assert _cell(coverage, "finance", "growth").shown_demand == "3件未満"
    # The chart's total for 資金 minus the 5 of 創業期 would give the small cell away: withheld.
    assert [d for f, d, _p in coverage.function_totals if f.code == "finance"] == [-1]
    assert [d for f, d, _p in coverage.function_totals if f.code == "market"] == [3]
    assert ["資金・設備支援", "成長期", "3件未満", 0, 0, ""] in exports.coverage_tables(coverage)[0].rows


def test_demand_by_area_counts_wards_in_their_city(year: Platform) -> None:
    areas = {a.label: a for a in metrics.coverage(YEAR).areas}
    assert (areas["仙台市"].demand, areas["仙台市"].institutions) == (7, 1)
    # 3 consultations from 石巻市 and no institution there: a gap.
    assert (areas["石巻市"].demand, areas["石巻市"].institutions, areas["石巻市"].gap) == (3, 0, True)


def test_the_municipality_filter_keeps_the_coverage_to_that_place(year: Platform) -> None:
    coverage = metrics.coverage(YEAR, metrics.Filters(municipality=year.ishinomaki))
    assert _cell(coverage, "finance", "startup").demand == 0
    assert _cell(coverage, "market", "growth").demand == 3
    assert [a.label for a in coverage.areas] == ["石巻市"]


def test_event_registrations_and_attendance(platform: Platform) -> None:
    start = at(dt.date(2025, 10, 6), 13)
    event = Event.objects.create(organization=platform.core, title="創業セミナー", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=2), status=Event.Status.PUBLISHED, capacity=10)
    for i, status in enumerate(["confirmed"] * 3 + ["cancelled"]):
        Registration.objects.create(event=event, name=f"参加者{i}", email=f"p{i}@example.jp", status=status)
    kpis = metrics.kpis(YEAR)
    assert kpis.events_held == 1
    assert dict(kpis.registrations)["確定"] == 3
    assert kpis.attended == 3


def test_field_supply_counts_each_program_once_and_institutions_through_programs_or_their_own_fields(
        year: Platform) -> None:
    food = Field.objects.create(code="food", name="食", order=1)
    for slug in ("p1", "p2"):  # both run by 仙台市産業振興事業団
        Program.objects.get(slug=slug).fields.add(food)
    year.org_c.fields.add(food)  # 商工会連合会 names the field itself, with no program in it
    row = next(r for r in metrics.coverage(YEAR).fields if r.code == "food")
    assert (row.cells[0].demand, row.cells[0].programs, row.cells[0].institutions) == (0, 2, 2)
