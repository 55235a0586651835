"""Read-only HSDS 3.0 API (`/api/hsds/...`), paged as HSDS's API profile does.

The same mapping functions as `madoguchi export-hsds` (hsds.py), so a record read here equals
the row in the files. Lists take `page` (from 1) and `per_page` (1–100) and answer HSDS's page
shape: {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
"contents"}. Errors keep the project's one shape (platform/api/errors.py).
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from madoguchi.interop import hsds
from madoguchi.platform.api.errors import ErrorOut, not_found
from madoguchi.platform.api.params import MAX_OFFSET, limit_param, paginate

router = Router(tags=["hsds"])


class HSDSPage(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


def page_param() -> Any:
    return Query(1, ge=1, le=MAX_OFFSET, description="ページ番号（1 から）")


def hsds_page(total: int, page: int, per_page: int, contents: list[dict[str, Any]]) -> dict[str, Any]:
    """Return HSDS's page object for `contents`, page `page` of `total` items at `per_page` a page."""
    pages = math.ceil(total / per_page)
    return {
        "total_items": total, "total_pages": pages, "page_number": page, "size": len(contents),
        "first_page": page == 1, "last_page": page >= pages, "empty": not contents, "contents": contents,
    }


def _page_rows(queryset: QuerySet[Any], page: int, per_page: int) -> tuple[int, list[Any]]:
    # HSDS counts pages from 1; the rows are the project's one pagination at that offset.
    return paginate(queryset, per_page, (page - 1) * per_page)


def find(queryset: QuerySet[Any], table: str, id: str, message: str) -> Any:
    """The row of `queryset` whose derived HSDS id is `id`; else raise 404 with `message`.

    uuid5 cannot be reversed and the ids are not stored, so this hashes every slug: a few
    milliseconds for the plan's rows, ~0.1 s for 10^5 programs.
    """
    try:
        wanted = str(uuid.UUID(id))
    except ValueError:
        wanted = ""
    for slug in queryset.values_list("slug", flat=True).iterator(chunk_size=2000) if wanted else ():
        if hsds.hsds_id(table, slug) == wanted:
            return queryset.get(slug=slug)
    raise not_found(message % {"id": id})


def _page_of(rows: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    return hsds_page(len(rows), page, per_page, rows[(page - 1) * per_page : page * per_page])


@router.get("/organizations", response={200: HSDSPage, 422: ErrorOut}, summary="HSDS: organization の一覧")
def list_organizations(request: HttpRequest, page: int = page_param(), per_page: int = limit_param()) -> dict[str, Any]:
    total, rows = _page_rows(hsds.organizations_for_hsds(), page, per_page)
    return hsds_page(total, page, per_page, [hsds.organization_record(org) for org in rows])


@router.get("/organizations/{id}", response={200: dict[str, Any], 404: ErrorOut}, summary="HSDS: organization（services を含む）")
def get_organization(request: HttpRequest, id: str) -> dict[str, Any]:
    org = find(hsds.organizations_for_hsds(), "organization", id,
               _("HSDS の organization「%(id)s」は見つかりませんでした。"))
    # The "full" organization of HSDS's examples: with its services.
    return {**hsds.organization_record(org),
            "services": [hsds.service_record(p) for p in hsds.programs_for_hsds().filter(organization=org)]}


@router.get("/services", response={200: HSDSPage, 422: ErrorOut}, summary="HSDS: service の一覧")
def list_services(request: HttpRequest, page: int = page_param(), per_page: int = limit_param()) -> dict[str, Any]:
    total, rows = _page_rows(hsds.programs_for_hsds(), page, per_page)
    return hsds_page(total, page, per_page, [hsds.service_record(p) for p in rows])


@router.get("/services/{id}", response={200: dict[str, Any], 404: ErrorOut}, summary="HSDS: service")
def get_service(request: HttpRequest, id: str) -> dict[str, Any]:
    return hsds.service_record(find(hsds.programs_for_hsds(), "service", id,
                                    _("HSDS の service「%(id)s」は見つかりませんでした。")))


@router.get("/taxonomies", response={200: HSDSPage, 422: ErrorOut}, summary="HSDS: taxonomy の一覧")
def list_taxonomies(request: HttpRequest, page: int = page_param(), per_page: int = limit_param()) -> dict[str, Any]:
    return _page_of(hsds.taxonomies(), page, per_page)


@router.get("/taxonomy_terms", response={200: HSDSPage, 422: ErrorOut}, summary="HSDS: taxonomy_term の一覧")
def list_taxonomy_terms(request: HttpRequest, page: int = page_param(), per_page: int = limit_param()) -> dict[str, Any]:
    # A few dozen terms (8 functions, the stages, the fields, the program categories): no paging in SQL.
    return _page_of(list(hsds.taxonomy_terms()), page, per_page)
