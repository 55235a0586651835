"""The search page and the one-stop diagnosis. Thin: everything is in service.search()."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.catalog.filters import FILTER_PARAMS, FilterError, ProgramFilters
from madoguchi.catalog.models import ProgramType
from madoguchi.directory.models import BusinessStage, Field, Municipality, SupportFunction
from madoguchi.search import saved as saved_results
from madoguchi.search.cards import build_cards
from madoguchi.search.diagnosis import NEEDS, Roadmap, order_by_fit, roadmap
from madoguchi.search.facets import FUNCTION_LABELS, KIND_LABELS
from madoguchi.search.service import MAX_LIMIT, SearchError, current_corpus, search

FILTERS = ("function", "stage", "municipality", "kind", "field")
PAGE_LIMIT = 20


def _localized(labels: dict[str, str], model: type[models.Model]) -> list[tuple[str, str]]:
    """Choices as (code, label) in the page's language: the corpus keeps the Japanese
    labels (it is cached per process, for every language), the English ones are in the rows."""
    if not (get_language() or "ja").startswith("en"):
        return list(labels.items())
    english = dict(model._default_manager.filter(code__in=list(labels)).values_list("code", "name_en"))
    return [(code, english.get(code) or label) for code, label in labels.items()]


def _choices() -> dict[str, list[tuple[str, str]]]:
    corpus = current_corpus()
    return {
        "function": _localized(FUNCTION_LABELS, SupportFunction),
        "stage": _localized(corpus.stage_labels, BusinessStage),
        "field": _localized(corpus.field_labels, Field),
        # KIND_LABELS holds the Japanese msgids (or lazy labels): translated here, per request.
        "kind": [(k, _(str(KIND_LABELS.get(k, k)))) for k in sorted(corpus.kinds)] or [(k, _(str(v))) for k, v in KIND_LABELS.items()],
        "municipality": _localized(dict(sorted(corpus.gazetteer.labels.items())), Municipality),
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
    choices = _choices()
    # The facets read from the question, named in the page's language (the corpus keeps Japanese).
    badges = [dict(choices.get(f.type, [])).get(f.code) or _(f.label) for f in response.facets]
    context: dict[str, Any] = {
        "response": response, "q": response.query, "error": error, "selected": selected, "facet_badges": badges,
        "cards": build_cards(response, saved_results.keys(request), labels={
            (type_, code): label for type_, options in choices.items() for code, label in options}),
        "filters_chosen": any(filters.values()) or any(request.GET.get(name) for name in FILTER_PARAMS),
        "program_params": {name: request.GET.get(name, "") for name in FILTER_PARAMS},
        "program_types": ProgramType.choices,
        "choices": choices, "filter_labels": {
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
        "stages": _localized(corpus.stage_labels, BusinessStage), "need_choices": [(code, _(label)) for code, label in NEEDS.items()],
        "fields": _localized(corpus.field_labels, Field), "places": sorted(corpus.gazetteer.labels.items()),
        "step_number": STEPS.index(step) + 1, "step_count": len(STEPS) - 1,
    }
    if step == "roadmap":
        places = set(corpus.gazetteer.expand(place)) if place else set()
        result = roadmap(
            corpus, stage=stage, needs=needs, field=field_, municipality=place,
            fit=lambda hits: order_by_fit(hits, field=field_, places=places, codes=_stored_codes(hits)),
        )
        stage_names = dict(context["stages"])
        result.stage_label = stage_names.get(stage or "", result.stage_label)
        result.next_stage_label = stage_names.get(result.next_stage or "", result.next_stage_label)
        context.update(roadmap=result, **_roadmap_actions(result, request))
    return render(request, "search/diagnosis.html", context)


def _stored_codes(hits: list[Any]) -> dict[str, tuple[set[str], set[str]]]:
    """(fields, municipalities) of the hits' stored documents, in one query."""
    from madoguchi.search.models import SearchDocument

    out: dict[str, tuple[set[str], set[str]]] = {}
    by_kind: dict[str, list[str]] = {}
    for h in hits:
        by_kind.setdefault(h.kind, []).append(h.id)
    query = models.Q(pk__in=[])
    for kind, ids in by_kind.items():
        query |= models.Q(kind=kind, object_id__in=ids)
    for kind, object_id, fields, munis in SearchDocument.objects.filter(query).values_list("kind", "object_id", "fields", "municipalities"):
        out[f"{kind}:{object_id}"] = (set(fields.split()), set(munis.split()))
    return out


def _roadmap_actions(result: Roadmap, request: HttpRequest) -> dict[str, Any]:
    """The roadmap's end: consult with it written into the request, save it, print it."""
    from urllib.parse import urlencode

    from django.urls import reverse

    lines = [_("ワンストップ診断のロードマップについて相談したいです。")]
    keys: list[str] = []
    for section in [*result.now, *result.next]:
        inst, prog = section.institution, section.program
        if inst:
            lines.append(f"- {section.need_label}: {inst[0]}" + (f"「{prog.name}」" if prog else ""))
        keys += [k for k in section.keys if k not in keys]
    first = next((s.institution for s in result.now if s.institution), None)
    params = {"q": "\n".join(lines)}
    if first:
        params["organization"] = first[1]
    return {"consult_url": reverse("cases:intake") + "?" + urlencode(params), "roadmap_keys": keys,
            "saved_keys": saved_results.keys(request)}


def _back(request: HttpRequest) -> str:
    """Where a 「保存」 form came from (its `next`), if it is this site; else the saved list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return str(saved_results.list_url())


@require_POST
def save_result(request: HttpRequest) -> HttpResponse:
    """「保存」 on a result card: a plain form POST into the session, so it works without JavaScript."""
    keys = request.POST.getlist("key")[:20]  # a card saves one, a roadmap its steps
    if request.POST.get("action") == "remove":
        for key in keys:
            saved_results.remove(request, key)
    elif not keys or not all([saved_results.add(request, key) for key in keys]):  # noqa: C419  a list: try every key, not stop at a failure
        return render(request, "search/saved.html", {
            "cards": saved_results.cards(request), "error": _("保存できませんでした。検索結果からもう一度お試しください。"),
        }, status=400)
    return redirect(_back(request))


@require_GET
def saved_list(request: HttpRequest) -> HttpResponse:
    return render(request, "search/saved.html", {"cards": saved_results.cards(request)})
