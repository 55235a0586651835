"""The registry's JSON API: institutions, programs and the eight support functions.

Public ids are slugs (never primary keys). Each item keeps the plan's wording next to
today's facts recorded by staff, with `source` and `as_of`, like the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from madoguchi.directory.models import (
    Municipality,
    Organization,
    OrganizationFunction,
    OrganizationQuerySet,
    Program,
    SupportFunction,
)
from madoguchi.platform.api.errors import ErrorOut, invalid_parameter, not_found
from madoguchi.platform.api.params import (
    MUNICIPALITY_PATTERN,
    SLUG_PATTERN,
    choice_label,
    choices_literal,
    limit_param,
    offset_param,
    paginate,
)

router = Router(tags=["directory"])

if TYPE_CHECKING:
    # A Literal built at run time is no type to mypy: to it the codes are strings.
    FunctionCode: TypeAlias = str
    OrganizationKind: TypeAlias = str
    ProgramCategory: TypeAlias = str
else:
    FunctionCode = choices_literal(SupportFunction.Code)
    OrganizationKind = choices_literal(Organization.Kind)
    ProgramCategory = choices_literal(Program.Category)


class MunicipalityOut(Schema):
    code: str
    name: str


class FunctionDetail(Schema):
    code: str
    name: str
    derived: bool
    basis: str


class ProfileOut(Schema):
    """A curated profile written by the editors (not the plan's text), with its own provenance."""

    text: str
    text_en: str
    source: str
    as_of: dt.date | None


class OrganizationOut(Schema):
    id: str
    name: str
    kind: str
    kind_label: str
    parent: str | None
    postal_code: str
    address: str
    phone: str
    website: str
    municipality: MunicipalityOut | None
    functions: list[str]
    function_details: list[FunctionDetail]
    main_functions_text: str
    profile: ProfileOut | None
    status: str
    status_label: str
    current_name: str
    current_address: str
    current_phone: str
    current_as_of: dt.date | None
    source: str
    as_of: dt.date
    url: str | None


class OrganizationList(Schema):
    count: int
    items: list[OrganizationOut]


class OrganizationRef(Schema):
    id: str
    name: str


class CategoryOut(Schema):
    code: str
    label: str


class ProgramOut(Schema):
    id: str
    name: str
    organization: OrganizationRef
    category: CategoryOut
    functions: list[str]
    function_codes: list[str]
    function_basis: str
    description: str
    eligibility: str
    application_opens: dt.date | None
    application_closes: dt.date | None
    contact: str
    source: str
    as_of: dt.date
    url: str | None


class ProgramList(Schema):
    count: int
    items: list[ProgramOut]


class FunctionOut(Schema):
    code: str
    name: str
    short_name: str
    name_en: str
    organization_count: int


def page_url(obj: Any) -> str | None:
    """The object's public page, or None while that page is not wired in urls.py."""
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return None


def organization_item(org: Organization) -> dict[str, Any]:
    """One organization as the API shows it; needs function_links (with function) prefetched."""
    links = list(org.function_links.all())
    return {
        "id": org.slug,
        "name": org.name,
        "kind": org.kind,
        "kind_label": choice_label(Organization.Kind, org.kind),
        # parent_id would be a primary key; the slug needs the parent row (select_related).
        "parent": org.parent.slug if org.parent_id and org.parent else None,
        "postal_code": org.postal_code,
        "address": org.address,
        "phone": org.phone,
        "website": org.url,
        "municipality": (
            {"code": org.municipality.code, "name": org.municipality.name} if org.municipality else None
        ),
        "functions": [link.function.name for link in links],
        "function_details": [
            {"code": link.function.code, "name": link.function.name, "derived": link.derived, "basis": link.basis}
            for link in links
        ],
        "main_functions_text": org.main_functions_text,
        "profile": (
            {"text": org.profile, "text_en": org.profile_en, "source": org.profile_source, "as_of": org.profile_as_of}
            if org.profile else None
        ),
        "status": org.status,
        "status_label": choice_label(Organization.Status, org.status),
        "current_name": org.current_name,
        "current_address": org.current_address,
        "current_phone": org.current_phone,
        "current_as_of": org.current_as_of,
        "source": org.source,
        "as_of": org.as_of,
        "url": page_url(org),
    }


def organizations_for_api() -> OrganizationQuerySet:
    return (
        Organization.objects.select_related("municipality", "parent")
        .prefetch_related(
            Prefetch(
                "function_links",
                queryset=OrganizationFunction.objects.select_related("function").order_by("function__order"),
            )
        )
        .order_by("kind", "plan_order", "name", "pk")
    )


def check_municipality(code: str) -> None:
    """Refuse an unknown municipality code with 422 rather than answer an empty list."""
    if not Municipality.objects.filter(code=code).exists():
        raise invalid_parameter(
            "municipality",
            _("municipality「%(code)s」は登録されている団体コードではありません（例: 04100 = 仙台市）。")
            % {"code": code},
        )


@router.get(
    "/organizations", response={200: OrganizationList, 422: ErrorOut}, summary="支援機関の一覧",
)
def list_organizations(
    request: HttpRequest,
    function: FunctionCode | None = None,
    kind: OrganizationKind | None = None,
    municipality: str | None = Query(None, pattern=MUNICIPALITY_PATTERN, description="市区町村の団体コード（市は区を含む）"),
    limit: int = limit_param(),
    offset: int = offset_param(),
) -> dict[str, Any]:
    """Institutions filtered by support function (code), kind and municipality (a city includes its wards)."""
    queryset = organizations_for_api()
    if function:
        queryset = queryset.offering(function)
    if kind:
        queryset = queryset.filter(kind=kind)
    if municipality:
        check_municipality(municipality)
        queryset = queryset.in_municipality(municipality)
    count, rows = paginate(queryset, limit, offset)
    return {"count": count, "items": [organization_item(org) for org in rows]}


@router.get(
    "/organizations/{id}", response={200: OrganizationOut, 404: ErrorOut}, summary="支援機関の詳細",
)
def get_organization(request: HttpRequest, id: str) -> dict[str, Any]:
    org = organizations_for_api().filter(slug=id).first()
    if org is None:
        raise not_found(_("支援機関「%(id)s」は見つかりませんでした。") % {"id": id})
    return organization_item(org)


def program_item(program: Program) -> dict[str, Any]:
    """One program as the API shows it; needs organization and functions loaded."""
    functions = list(program.functions.all())
    return {
        "id": program.slug,
        "name": program.name,
        "organization": {"id": program.organization.slug, "name": program.organization.display_name},
        "category": {"code": program.category, "label": choice_label(Program.Category, program.category)},
        "functions": [f.name for f in functions],
        "function_codes": [f.code for f in functions],
        "function_basis": program.function_basis,
        "description": program.description,
        "eligibility": program.eligibility,
        "application_opens": program.application_opens,
        "application_closes": program.application_closes,
        "contact": program.contact,
        "source": program.source,
        "as_of": program.as_of,
        "url": page_url(program),
    }


@router.get("/programs", response={200: ProgramList, 422: ErrorOut}, summary="支援事業・制度の一覧")
def list_programs(
    request: HttpRequest,
    function: FunctionCode | None = None,
    organization: str | None = Query(None, pattern=SLUG_PATTERN, description="支援機関の id（スラッグ）"),
    category: ProgramCategory | None = None,
    limit: int = limit_param(),
    offset: int = offset_param(),
) -> dict[str, Any]:
    """Programs filtered by support function (code), organization (id) and category."""
    queryset = (
        Program.objects.select_related("organization")
        .prefetch_related(Prefetch("functions", queryset=SupportFunction.objects.order_by("order")))
        .order_by("organization__kind", "organization__plan_order", "organization__name", "order", "name", "pk")
    )
    if function:
        queryset = queryset.filter(functions__code=function).distinct()
    if organization:
        if not Organization.objects.filter(slug=organization).exists():
            raise invalid_parameter(
                "organization", _("organization「%(id)s」という支援機関はありません。") % {"id": organization}
            )
        queryset = queryset.filter(organization__slug=organization)
    if category:
        queryset = queryset.filter(category=category)
    count, rows = paginate(queryset, limit, offset)
    return {"count": count, "items": [program_item(p) for p in rows]}


# GET /programs/{id} lives in catalog/api.py: the detail adds today's facts (status, deadline,
# amounts, source) to program_item, and directory depends on nothing of ours.


@router.get("/functions", response=list[FunctionOut], summary="8つの支援機能（表4の順）")
def list_functions(request: HttpRequest) -> list[dict[str, Any]]:
    functions = SupportFunction.objects.annotate(organization_count=Count("organization_links")).order_by("order")
    return [
        {
            "code": f.code, "name": f.name, "short_name": f.short_name, "name_en": f.name_en,
            "organization_count": f.organization_count,
        }
        for f in functions
    ]
