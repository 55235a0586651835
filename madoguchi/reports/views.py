"""Report pages: thin views over metrics.py; the downloads write exactly the tables the page shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.reports import exports, metrics
from madoguchi.reports.charts import demand_supply_chart
from madoguchi.reports.forms import CoverageForm, ReportForm

_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _require_reader(request: HttpRequest) -> None:
    """Aggregates over every institution: coordinators and the prefecture only (403 otherwise)."""
    if not request.user.has_perm("reports.may_view_reports"):
        raise PermissionDenied


def _download(name: str, title: str, form: ReportForm, tables: list[exports.Table], fmt: str) -> HttpResponse:
    heading = exports.conditions(form.period, form.filters)
    period = form.period
    response = HttpResponse(exports.render(fmt, title, heading, tables), content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"'
    return response


def _page(request: HttpRequest, template: str, form: ReportForm, context: dict[str, Any]) -> HttpResponse:
    query = request.GET.urlencode()
    return render(request, template, {"form": form, "query": f"?{query}" if query else "", **context},
                  status=200 if form.is_valid() else 400)


def _report(request: HttpRequest, fmt: str, form: ReportForm, template: str, name: str, title: str,
            build: Callable[[ReportForm], tuple[list[exports.Table], dict[str, Any]]]) -> HttpResponse:
    """The page, or with `fmt` its download: a bad period or filter is a 400 with the page's message."""
    _require_reader(request)
    if not form.is_valid():
        return _page(request, template, form, {})
    tables, context = build(form)
    if fmt:
        return _download(name, title, form, tables, fmt)
    return _page(request, template, form, {"tables": tables, **context})


def _kpis(form: ReportForm) -> tuple[list[exports.Table], dict[str, Any]]:
    kpis = metrics.kpis(form.period, form.filters)
    return exports.kpi_tables(kpis), {"kpis": kpis}


def _coverage(form: ReportForm) -> tuple[list[exports.Table], dict[str, Any]]:
    result = metrics.coverage(form.period, form.filters)
    tables = exports.coverage_tables(result)
    # The page draws the first table as the heat matrix and chart; the others as they are.
    return tables, {"coverage": result, "page_tables": tables[1:], "matrix_note": tables[0].note,
                    "chart": demand_supply_chart(result), "small": metrics.SMALL_CELL, "ratio": metrics.GAP_RATIO}


@login_required
@require_GET
def overview(request: HttpRequest, fmt: str = "") -> HttpResponse:
    return _report(request, fmt, ReportForm(request.GET), "reports/overview.html", "madoguchi-kpi",
                   _("madoguchi 実績報告"), _kpis)


@login_required
@require_GET
def coverage(request: HttpRequest, fmt: str = "") -> HttpResponse:
    return _report(request, fmt, CoverageForm(request.GET), "reports/coverage.html", "madoguchi-coverage",
                   _("madoguchi 需要と供給（支援の空白）"), _coverage)
