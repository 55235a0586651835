"""The program page with its catalog facts. It answers /programs/<slug>/ in place of directory's
view (catalog's URL comes first in madoguchi/urls.py), since directory depends on nothing of ours;
its template extends directory's and fills the two blocks left for it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from madoguchi.catalog.models import CatalogEntry
from madoguchi.catalog.presentation import program_facts
from madoguchi.directory.models import Program


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
