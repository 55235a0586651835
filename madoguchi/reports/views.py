"""Report pages: thin views over metrics.py; the downloads write exactly the tables the page shows."""

from __future__ import annotations

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
    if not request.user.has_perm("reports.view_reports"):
        raise PermissionDenied


def _download(name: str, title: str, form: ReportForm, tables: list[exports.Table], fmt: str) -> HttpResponse:
    heading = exports.conditions(form.period, form.filters)
    body = exports.to_csv(title, heading, tables) if fmt == "csv" else exports.to_xlsx(title, heading, tables)
    period = form.period
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"'
    return response


def _page(request: HttpRequest, template: str, form: ReportForm, context: dict[str, Any]) -> HttpResponse:
    query = request.GET.urlencode()
    return render(request, template, {"form": form, "query": f"?{query}" if query else "", **context},
                  status=200 if form.is_valid() else 400)


@login_required
@require_GET
def overview(request: HttpRequest, fmt: str = "") -> HttpResponse:
    _require_reader(request)
    form = ReportForm(request.GET)
    if not form.is_valid():
        return _page(request, "reports/overview.html", form, {})
    kpis = metrics.kpis(form.period, form.filters)
    tables = exports.kpi_tables(kpis)
    if fmt:
        return _download("madoguchi-kpi", _("madoguchi 実績報告"), form, tables, fmt)
    return _page(request, "reports/overview.html", form, {"kpis": kpis, "tables": tables})


@login_required
@require_GET
def coverage(request: HttpRequest, fmt: str = "") -> HttpResponse:
    _require_reader(request)
    form = CoverageForm(request.GET)
    if not form.is_valid():
        return _page(request, "reports/coverage.html", form, {})
    result = metrics.coverage(form.period, form.filters)
    tables = exports.coverage_tables(result)
    if fmt:
        return _download("madoguchi-coverage", _("madoguchi 需要と供給（支援の空白）"), form, tables, fmt)
    return _page(request, "reports/coverage.html", form, {
        "coverage": result, "tables": tables[1:], "matrix_note": tables[0].note, "chart": demand_supply_chart(result),
        "small": metrics.SMALL_CELL, "ratio": metrics.GAP_RATIO,
    })
