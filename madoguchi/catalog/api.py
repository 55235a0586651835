"""The program detail of the API with today's facts: /api/programs/{id}.

Directory serves the program list; the detail is here because it adds the catalog's facts to
directory's program_item (directory depends on nothing of ours). The operation keeps the id it
had under directory, so generated clients do not change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from madoguchi.catalog.models import CatalogEntry
from madoguchi.catalog.presentation import program_facts
from madoguchi.directory.api import ProgramOut, program_item
from madoguchi.directory.models import Program
from madoguchi.platform.api.errors import ErrorOut, not_found

router = Router(tags=["directory"])


class ProgramDetailOut(ProgramOut):
    type: str | None
    type_label: str | None
    status: str
    status_label: str
    closes: dt.datetime | None
    amount_min: int | None
    amount_max: int | None
    subsidy_rate: Decimal | None
    subsidy_rate_text: str
    max_employees: int | None
    industries: list[str]
    area_codes: list[str]
    attribution: str
    verified_at: dt.date | None
    stale: bool


def program_detail_item(program: Program, entry: CatalogEntry | None) -> dict[str, Any]:
    facts = program_facts(program, entry)
    item = program_item(program)
    item.update(
        type=entry.type if entry else None,
        type_label=entry.get_type_display() if entry else None,
        status=facts.status.value,
        status_label=facts.status_label,
        closes=facts.deadline,
        amount_min=entry.amount_min if entry else None,
        amount_max=entry.amount_max if entry else None,
        subsidy_rate=entry.rate if entry else None,
        subsidy_rate_text=entry.rate_text if entry else "",
        max_employees=entry.max_employees if entry else None,
        industries=entry.industry_list if entry else [],
        area_codes=facts.area_codes,
        attribution=facts.attribution,
        verified_at=facts.verified_at,
        stale=facts.stale,
    )
    if entry:
        # Directory's `source` is the plan's section; an imported program's is its source's name.
        item["source"] = entry.source.name
    return item


@router.get(
    "/programs/{id}", response={200: ProgramDetailOut, 404: ErrorOut}, summary="支援事業・制度の詳細",
    operation_id="madoguchi_directory_api_get_program",
)
def get_program_detail(request: HttpRequest, id: str) -> dict[str, Any]:
    program = Program.objects.select_related("organization").prefetch_related("functions").filter(slug=id).first()
    if program is None:
        raise not_found(_("支援事業「%(id)s」は見つかりませんでした。") % {"id": id})
    entry = CatalogEntry.objects.select_related("source").prefetch_related("rounds").filter(program=program).first()
    return program_detail_item(program, entry)
