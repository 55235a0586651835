"""The program page with its catalog facts. It answers /programs/<slug>/ in place of directory's
view (catalog's URL comes first in madoguchi/urls.py), since directory depends on nothing of ours;
its template extends directory's and fills the two blocks left for it."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from madoguchi.catalog.forms import ProgramListForm
from madoguchi.catalog.listing import filter_programs, open_first, with_facts
from madoguchi.catalog.models import CatalogEntry
from madoguchi.catalog.presentation import program_facts
from madoguchi.directory.models import Program
from madoguchi.lib.paging import paginate


def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = (
        Program.objects.select_related("organization")
        .prefetch_related("functions", "stages", "fields", "eligibility_area")
        .filter(slug=slug)
        .first()
    )
    if program is None:
        message = _("「%(slug)s」という支援事業は登録されていません。") % {"slug": slug}
        return render(request, "directory/not_found.html", {"message": message}, status=404)
    entry = (
        CatalogEntry.objects.select_related("source").prefetch_related("rounds").filter(program=program).first()
    )
    context = {"program": program, "entry": entry, "facts": program_facts(program, entry)}
    return render(request, "catalog/program_detail.html", context)


from madoguchi.directory.views import PAGE_SIZE  # noqa: E402 - the lists page alike


def program_list(request: HttpRequest) -> HttpResponse:
    """/programs/: every program, or the catalog programs the filters keep; open calls first."""
    form = ProgramListForm(request.GET or None)
    now = timezone.now()
    # Retired programs (staff ended them) leave the public list, as on directory's page.
    programs: QuerySet[Program] = Program.objects.current().select_related("organization", "catalog__source").prefetch_related(
        "functions", "catalog__rounds")
    status = 200
    if form.is_bound and not form.is_valid():
        programs, status = programs.none(), 400
    elif form.is_bound:
        programs = filter_programs(form.filter(programs), form.filters, now)
        if form.cleaned_data.get("q"):
            words = form.cleaned_data["q"]
            programs = programs.filter(Q(name__icontains=words) | Q(description__icontains=words))
    page = paginate(request, open_first(programs, now), per_page=PAGE_SIZE, anchor="program-results")
    page.object_list = with_facts(page.object_list, now)
    context = {"form": form, "page": page, "filtered": form.is_bound and any(v for v in request.GET.values()),
               "described": form.filters.describe() if form.is_bound else []}
    template = "catalog/_program_list.html" if request.headers.get("HX-Request") else "catalog/program_list.html"
    response = render(request, template, context, status=200 if request.headers.get("HX-Request") else status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution page with its open calls first (directory's view, our program order)."""
    from madoguchi.directory.views import organization_detail as directory_page

    return directory_page(request, slug, order_programs=open_first)
