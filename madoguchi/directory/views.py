"""Public pages of the registry: institutions, programs, 表4, facilities, 仙台北部地域.

Views are thin: each fetches by slug (never a primary key), hands the data to a template,
and answers an unknown slug with a Japanese 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from madoguchi.directory.forms import OrganizationFilterForm, ProgramFilterForm
from madoguchi.directory.models import (
    Area,
    Facility,
    Municipality,
    Organization,
    OrganizationFunction,
    Program,
    SupportFunction,
)
from madoguchi.directory.presentation import (
    MatrixRow,
    in_table_4,
    matrix_rows,
    municipality_entries,
    platform_order_key,
)
from madoguchi.lib.paging import paginate

PAGE_SIZE = 50
# lists inside an institution's page
DETAIL_PAGE_SIZE = 20


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    """A 404 page in Japanese that says what was not found."""
    return render(request, "directory/not_found.html", {"message": message}, status=404)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _list_response(request: HttpRequest, page: str, partial: str, context: dict[str, Any], status: int) -> HttpResponse:
    """The full page, or only the results partial for an htmx request."""
    if _is_htmx(request):
        # htmx does not swap 4xx answers by default; the partial carries the Japanese error
        # message, so it is sent as 200 to be shown in place of the results.
        template, status = partial, 200
    else:
        template = page
    response = render(request, template, context, status=status)
    # The same URL answers with two bodies; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _function_links() -> Prefetch:
    return Prefetch(
        "function_links",
        queryset=OrganizationFunction.objects.select_related("function").order_by("function__order"),
    )


def _plan_order() -> list[Any]:
    """The plan's order in SQL: kinds as the model lists them (core first), then 表2's numbers.

    plan_number is text like "(12)"; ordering by its length first puts "(2)" before "(10)".
    """
    kind_rank = Case(
        *[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(Organization.Kind.values)],
        default=Value(len(Organization.Kind.values)),
    )
    return [kind_rank, Length("plan_number"), "plan_number", "pk"]


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "functions": SupportFunction.objects.all(),
        "organization_count": Organization.objects.count(),
        "program_count": Program.objects.count(),
        "core": Organization.objects.filter(kind=Organization.Kind.CORE).first(),
    }
    return render(request, "directory/home.html", context)


def organization_list(request: HttpRequest) -> HttpResponse:
    form = OrganizationFilterForm(request.GET or None)
    organizations: QuerySet[Organization] = Organization.objects.select_related(
        "municipality", "municipality__parent"
    ).prefetch_related(_function_links()).order_by(*_plan_order())
    status = 200
    if form.is_bound and not form.is_valid():
        # A bad filter is answered, not ignored: showing everything would mislead.
        organizations = organizations.none()
        status = 400
    elif form.is_bound:
        organizations = form.filter(organizations)
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.is_bound}
    return _list_response(
        request, "directory/organization_list.html", "directory/_organization_list.html", context, status
    )


def organization_detail(request: HttpRequest, slug: str, order_programs: Callable[[QuerySet[Program]], QuerySet[Program]] | None = None) -> HttpResponse:
    """An institution's page; `order_programs` lets catalog list the open calls first."""
    organization = (
        Organization.objects.select_related("municipality", "parent", "successor")
        .prefetch_related(
            _function_links(),
            "locations",
            "members",
            "fields",
            "stages",
            "predecessors",
        )
        .filter(slug=slug)
        .first()
    )
    if organization is None:
        return _not_found(request, _("「%(slug)s」という支援機関は登録されていません。") % {"slug": slug})
    has_current = bool(
        organization.current_as_of
        or organization.current_name
        or organization.current_address
        or organization.current_phone
        or organization.current_note
    )
    # A large body runs hundreds of programs: its page shows them a page at a time, with the count.
    base = organization.programs.current()
    ordered = order_programs(base) if order_programs else base.order_by("name", "pk")
    programs = paginate(request, ordered, per_page=DETAIL_PAGE_SIZE,
                        param="programs", anchor="programs-title")
    facilities = paginate(request, organization.facilities.current().order_by("name", "pk"), per_page=DETAIL_PAGE_SIZE,
                          param="facilities", anchor="facilities-title")
    context = {"organization": organization, "has_current": has_current, "programs": programs,
               "facilities": facilities}
    return render(request, "directory/organization_detail.html", context)


def program_list(request: HttpRequest) -> HttpResponse:
    form = ProgramFilterForm(request.GET or None)
    programs: QuerySet[Program] = Program.objects.current().select_related("organization").prefetch_related("functions")
    status = 200
    if form.is_bound and not form.is_valid():
        programs = programs.none()
        status = 400
    elif form.is_bound:
        programs = form.filter(programs)
    page = Paginator(programs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.is_bound}
    return _list_response(request, "directory/program_list.html", "directory/_program_list.html", context, status)


def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = (
        Program.objects.select_related("organization")
        .prefetch_related("functions", "stages", "fields", "eligibility_area")
        .filter(slug=slug)
        .first()
    )
    if program is None:
        return _not_found(request, _("「%(slug)s」という支援事業は登録されていません。") % {"slug": slug})
    return render(request, "directory/program_detail.html", {"program": program})


def function_matrix(request: HttpRequest) -> HttpResponse:
    functions = list(SupportFunction.objects.all())
    bodies = sorted(
        (body for body in Organization.objects.platform().prefetch_related(_function_links()) if in_table_4(body)),
        key=platform_order_key,
    )
    rows: list[MatrixRow] = matrix_rows(bodies, functions)
    partners = Organization.objects.exclude(
        kind__in=[Organization.Kind.CORE, Organization.Kind.SUPPORT]
    ).filter(kind__in=[Organization.Kind.PARTNER, Organization.Kind.UNIVERSITY]).order_by("name")
    context = {"functions": functions, "rows": rows, "partners": partners}
    return render(request, "directory/function_matrix.html", context)


def facility_list(request: HttpRequest) -> HttpResponse:
    facilities = Facility.objects.current().select_related("operator", "municipality").order_by("kind", "name", "pk")
    page = paginate(request, facilities, per_page=PAGE_SIZE)
    return render(request, "directory/facility_list.html", {"facilities": page.object_list, "page": page})


def area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    area = Area.objects.filter(slug=slug).first()
    if area is None:
        return _not_found(request, _("「%(slug)s」という地域は登録されていません。") % {"slug": slug})
    municipalities = list(
        area.municipalities.select_related("successor", "parent").prefetch_related("predecessors", "wards")
    )
    entries = municipality_entries(municipalities, area.as_of)
    codes = set()
    for entry in entries:
        codes.update(entry.codes)
    # Institutions and facilities in the area: any of its municipalities, their wards,
    # and the names they had in 2005 (富谷町) as well as today's (富谷市).
    located = Municipality.objects.filter(code__in=codes)
    organizations = (
        Organization.objects.filter(municipality__in=located)
        .select_related("municipality", "municipality__parent")
    )
    facilities = Facility.objects.filter(municipality__in=located).select_related("municipality").order_by("name", "pk")
    context = {
        "area": area,
        "entries": entries,
        # sorted in Python (the platform's order), then paged: an area holds tens, not thousands
        "organizations": paginate(request, sorted(organizations, key=platform_order_key), per_page=PAGE_SIZE,
                                  param="organizations", anchor="orgs-title"),
        "facilities": paginate(request, facilities, per_page=PAGE_SIZE, param="facilities", anchor="facilities-title"),
    }
    return render(request, "directory/area_detail.html", context)

