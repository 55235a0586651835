"""The search page and the one-stop diagnosis. Thin: everything is in engine.search()."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.catalog.filters import FILTER_PARAMS, FilterError, ProgramFilters
from madoguchi.catalog.models import ProgramType
from madoguchi.directory.models import BusinessStage, Field
from madoguchi.search.diagnosis import NEEDS, roadmap
from madoguchi.search.engine import MAX_LIMIT, SearchError, current_corpus, search
from madoguchi.search.facets import FUNCTION_LABELS, KIND_LABELS

FILTERS = ("function", "stage", "municipality", "kind", "field")
PAGE_LIMIT = 20


def _localized(labels: dict[str, str], model: type[models.Model]) -> list[tuple[str, str]]:
    """Choices as (code, label) in the page's language: the corpus keeps the Japanese
    labels (it is cached per process, for every language), the English ones are in the rows."""
    if not (get_language() or "ja").startswith("en"):
        return list(labels.items())
    english = dict(model.objects.filter(code__in=list(labels)).values_list("code", "name_en"))
    return [(code, english.get(code) or label) for code, label in labels.items()]


def _choices() -> dict[str, list[tuple[str, str]]]:
    corpus = current_corpus()
    return {
        "function": list(FUNCTION_LABELS.items()),
        "stage": _localized(corpus.stage_labels, BusinessStage),
        "field": _localized(corpus.field_labels, Field),
        "kind": [(k, str(KIND_LABELS.get(k, k))) for k in sorted(corpus.kinds)] or list(KIND_LABELS.items()),
        "municipality": sorted(corpus.gazetteer.labels.items()),
    }


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    filters = {name: request.GET.get(name) or None for name in FILTERS}
    try:
        limit = max(1, min(int(request.GET.get("limit", PAGE_LIMIT)), MAX_LIMIT))
    except ValueError:
        limit = PAGE_LIMIT
    error = None
    status = 200
    try:
        programs = ProgramFilters.from_params(request.GET)
    except FilterError as exc:
        programs, error, status = ProgramFilters(), exc.message, 400
    try:
        response = search(q, limit=limit, programs=programs, **filters)
    except SearchError as exc:
        error, status = exc.message, 400
        response = search(q, limit=limit)
    selected = {name: filters[name] or "" for name in FILTERS}
    for facet in response.facets:
        selected[facet.type] = selected.get(facet.type) or facet.code
    context: dict[str, Any] = {
        "response": response, "q": response.query, "error": error, "selected": selected,
        "program_params": {name: request.GET.get(name, "") for name in FILTER_PARAMS},
        "program_types": ProgramType.choices,
        "choices": _choices(), "filter_labels": {
            "function": _("支援機能"), "stage": _("事業段階"), "field": _("分野"),
            "municipality": _("市区町村"), "kind": _("種類"),
        },
    }
    template = "search/_results.html" if request.headers.get("HX-Request") else "search/search.html"
    return render(request, template, context, status=status)


STEPS = ("stage", "need", "field", "place", "roadmap")


@require_GET
def diagnosis(request: HttpRequest) -> HttpResponse:
    """A GET form sequence; each step carries the earlier answers as hidden fields."""
    corpus = current_corpus()
    step = request.GET.get("step", "stage")
    if step not in STEPS:
        step = "stage"
    stage = request.GET.get("stage") or None
    if stage not in corpus.stage_labels:
        stage = None
    needs = [n for n in request.GET.getlist("need") if n in NEEDS]
    field_ = request.GET.get("field") or None
    if field_ not in corpus.field_labels:
        field_ = None
    place = request.GET.get("place") or None
    if place not in corpus.gazetteer.labels:
        place = None
    context: dict[str, Any] = {
        "step": step, "stage": stage, "needs": needs, "field": field_, "place": place,
        "stages": _localized(corpus.stage_labels, BusinessStage), "need_choices": list(NEEDS.items()),
        "fields": _localized(corpus.field_labels, Field), "places": sorted(corpus.gazetteer.labels.items()),
        "step_number": STEPS.index(step) + 1, "step_count": len(STEPS) - 1,
    }
    if step == "roadmap":
        context["roadmap"] = roadmap(corpus, stage=stage, needs=needs, field=field_, municipality=place)
    return render(request, "search/diagnosis.html", context)
