"""The matching API: browse listings, read one, its suggestions with reasons, create a listing,
ask for an introduction. Same functions and the same anonymity rule as the pages (access.py, rules.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema, Status
from pydantic import StrictInt, StringConstraints

from madoguchi.directory import roles
from madoguchi.directory.models import BusinessStage, Field, Municipality
from madoguchi.matching import access, services
from madoguchi.matching.models import Kind, Listing, TechArea
from madoguchi.matching.rules import client_of
from madoguchi.platform.api.auth import InstitutionToken
from madoguchi.platform.api.auth import session_auth as django_auth
from madoguchi.platform.api.errors import ApiError, ErrorOut
from madoguchi.platform.api.params import (
    CODE_PATTERN,
    MUNICIPALITY_PATTERN,
    IsoDate,
    choices_literal,
    limit_param,
    offset_param,
    paginate,
)
from madoguchi.search.facets import StageCode

router = Router(tags=["matching"])

KindLiteral = choices_literal(Kind)
TechAreaLiteral = choices_literal(TechArea)


class OwnerOut(Schema):
    hidden: bool = SchemaField(description="true: 紹介に双方が同意するまで掲載者を明かさない匿名掲載")
    name: str


class ListingOut(Schema):
    uuid: uuid.UUID
    kind: str
    kind_label: str
    title: str
    description: str
    owner: OwnerOut
    fields: list[str]
    tech_area: str
    stages: list[str]
    amount_min: int | None = SchemaField(None, description="万円")
    amount_max: int | None = SchemaField(None, description="万円")
    municipality: str | None
    deadline: dt.date | None
    quantity: str
    material: str
    processes: list[str]
    equipment: list[str]
    certifications: list[str]
    skills: list[str]
    patent_number: str | None = SchemaField(None, description="匿名掲載では紹介成立まで null")
    patent_status: str
    use_of_funds: str
    expires_on: dt.date | None
    url: str


class ListingPage(Schema):
    count: int
    items: list[ListingOut]


class SuggestionOut(Schema):
    rank: int
    score: float
    reasons: list[str]
    candidate: ListingOut


class ListingIn(Schema):
    kind: KindLiteral  # type: ignore[valid-type]  # a Literal built from the choices at import
    title: str = SchemaField(..., min_length=1, max_length=200)
    description: str = SchemaField("", max_length=5000)
    visibility: choices_literal(Listing.Visibility) = "public"  # type: ignore[valid-type]  # a Literal built from the choices at import (a call)
    contact_email: str = SchemaField("", max_length=254)
    expires_on: IsoDate | None = None
    fields: list[Annotated[str, StringConstraints(pattern=CODE_PATTERN)]] = SchemaField(
        default_factory=list, description="分野コード（例: it, food）", max_length=10)
    tech_area: TechAreaLiteral | None = None  # type: ignore[valid-type]  # a Literal built from the choices at import
    stages: list[StageCode] = SchemaField(default_factory=list, description="事業段階コード（例: startup）", max_length=10)
    # strict: "5" or 5.0 are not the integer the schema states
    amount_min: StrictInt | None = SchemaField(None, ge=0, le=10_000_000)
    amount_max: StrictInt | None = SchemaField(None, ge=0, le=10_000_000)
    municipality: str | None = SchemaField(None, pattern=MUNICIPALITY_PATTERN, description="団体コード（例: 04100）")
    deadline: IsoDate | None = None
    quantity: str = SchemaField("", max_length=100)
    material: str = SchemaField("", max_length=100)
    processes: list[str] = SchemaField(default_factory=list, max_length=30)
    equipment: list[str] = SchemaField(default_factory=list, max_length=30)
    certifications: list[str] = SchemaField(default_factory=list, max_length=30)
    skills: list[str] = SchemaField(default_factory=list, max_length=30)
    patent_number: str = SchemaField("", max_length=40)
    patent_status: str = SchemaField("", max_length=40)
    use_of_funds: str = SchemaField("", max_length=200)


class IntroductionIn(Schema):
    candidate: uuid.UUID
    message: str = SchemaField("", max_length=2000)


class IntroductionOut(Schema):
    # UUID, not uuid.UUID: the field named uuid hides the module inside the class
    uuid: UUID
    status: str
    status_label: str
    listing: UUID
    candidate: UUID


def listing_out(user: Any, listing: Listing) -> dict[str, Any]:
    """The one serialisation of a listing; the owner and identifying fields pass through access.py."""
    owner = access.owner_for(user, listing)
    return {
        "uuid": listing.uuid, "kind": listing.kind, "kind_label": listing.get_kind_display(),
        "title": listing.title, "description": listing.description,
        "owner": {"hidden": owner.hidden, "name": owner.name},
        "fields": [f.code for f in listing.fields.all()], "tech_area": listing.tech_area,
        "stages": [s.code for s in listing.stages.all()],
        "amount_min": listing.amount_min, "amount_max": listing.amount_max,
        "municipality": listing.municipality.code if listing.municipality is not None else None,
        "deadline": listing.deadline, "quantity": listing.quantity, "material": listing.material,
        "processes": listing.processes, "equipment": listing.equipment,
        "certifications": listing.certifications, "skills": listing.skills,
        "patent_number": listing.patent_number if access.identifying_fields_visible(user, listing) else None,
        "patent_status": listing.patent_status, "use_of_funds": listing.use_of_funds,
        "expires_on": listing.expires_on, "url": listing.get_absolute_url(),
    }


def _token_user(request: HttpRequest) -> None:
    """Reads are open to everyone; a token, when given, makes the request its staff user's, so
    the owner who just created a listing with the token can read it back (it waits for review,
    hidden from others). An unknown token reads as anonymous."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        InstitutionToken()(request)


def _get(request: HttpRequest, listing_uuid: uuid.UUID, write: bool = False) -> Listing:
    try:
        if write:
            return access.get_rw_listing_for_user(request.user, listing_uuid)
        return access.get_listing_for_user(request.user, listing_uuid)[0]
    except Http404:
        raise ApiError(404, "not_found", _("掲載 %(u)s は見つかりませんでした。") % {"u": listing_uuid}) from None
    except PermissionDenied:
        raise ApiError(403, "forbidden", _("この掲載を変更する権限がありません。")) from None


@router.get("/matching/listings", response=ListingPage, summary="掲載の一覧（絞り込み）")
def list_listings(
    request: HttpRequest,
    kind: KindLiteral | None = None,  # type: ignore[valid-type]  # a Literal built from the choices at import
    tech_area: TechAreaLiteral | None = None,  # type: ignore[valid-type]  # a Literal built from the choices at import
    field: str | None = Query(None, pattern=CODE_PATTERN, description="分野コード"),
    q: str | None = Query(None, max_length=100, description="キーワード（名称・概要）"),
    limit: int = limit_param(),
    offset: int = offset_param(),
) -> dict[str, Any]:
    _token_user(request)
    if field and not Field.objects.filter(code=field).exists():
        # the schema lists the codes; an unknown one is a mistake to name, not an empty page
        raise ApiError(422, "invalid_parameter", _("%(label)s のコード %(c)s はありません。") % {"label": _("分野"), "c": field}, parameter="field")
    qs = services.browse(request.user, kind=kind or "", tech_area=tech_area or "", field=field or "", q=q or "")
    count, rows = paginate(qs.prefetch_related("stages"), limit, offset)
    return {"count": count, "items": [listing_out(request.user, x) for x in rows]}


@router.get("/matching/listings/{listing_uuid}", response={200: ListingOut, 404: ErrorOut},
            summary="掲載（機関のトークンがあれば、その機関の審査待ちの掲載も）")
def get_listing(request: HttpRequest, listing_uuid: uuid.UUID) -> dict[str, Any]:
    _token_user(request)
    return listing_out(request.user, _get(request, listing_uuid))


@router.get("/matching/listings/{listing_uuid}/suggestions", response={200: list[SuggestionOut], 401: ErrorOut, 404: ErrorOut},
            summary="掲載の候補（理由つき）。掲載者とコーディネーターのみ", auth=[InstitutionToken(), django_auth])
def get_suggestions(request: HttpRequest, listing_uuid: uuid.UUID) -> list[dict[str, Any]]:
    listing = _get(request, listing_uuid)
    if not access.may(request.user, "matching.may_see_listing_private", listing):
        raise ApiError(404, "not_found", _("掲載 %(u)s の候補は掲載者とコーディネーターだけが見られます。") % {"u": listing_uuid})
    return [
        {"rank": m.rank, "score": m.score, "reasons": m.reasons, "candidate": listing_out(request.user, m.candidate)}
        for m in services.suggestions_for(request.user, listing)
    ]


def _codes(model: Any, codes: list[str], parameter: str, label: str) -> list[Any]:
    rows = list(model.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {r.code for r in rows})
    if missing:
        raise ApiError(422, "invalid_parameter", _("%(label)s のコード %(c)s はありません。") % {
            "label": label, "c": "、".join(missing)}, parameter=parameter)
    return rows


@router.post("/matching/listings", response={201: ListingOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}, auth=[InstitutionToken(), django_auth],
             summary="掲載する（コーディネーターの承認後に公開）")
def create_listing(request: HttpRequest, payload: ListingIn) -> Status:
    if not access.may(request.user, "matching.may_create_listing"):
        raise ApiError(403, "forbidden", _("掲載できるのはプラットフォーム会員の担当者と、アカウントのある相談者です。"))
    m = roles.staff_membership(request.user)
    data = payload.dict()
    fields = _codes(Field, data.pop("fields"), "fields", _("分野"))
    stages = _codes(BusinessStage, data.pop("stages"), "stages", _("事業段階"))
    muni_code = data.pop("municipality")
    municipality = None
    if muni_code:
        municipality = Municipality.objects.filter(code=muni_code).first()
        if municipality is None:
            raise ApiError(422, "invalid_parameter", _("団体コード %(c)s の市区町村はありません。") % {"c": muni_code},
                           parameter="municipality")
    data["tech_area"] = data["tech_area"] or ""
    user = request.user
    assert user.is_authenticated  # auth= above: a session's or a token's user
    listing = Listing(**data, municipality=municipality, created_by=user, status=Listing.Status.PENDING,
                      owner_organization=m.organization if m else None, owner_client=None if m else client_of(request.user))
    try:
        listing.full_clean(exclude=["terms"])
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise ApiError(422, "invalid_parameter", messages[0], parameter=name) from None
    listing.save()
    listing.fields.set(fields)
    listing.stages.set(stages)
    return Status(201, listing_out(request.user, listing))


@router.post("/matching/listings/{listing_uuid}/introductions",
             response={201: IntroductionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             auth=[InstitutionToken(), django_auth],
             summary="紹介を依頼する（再送しても 1 件）")
def request_introduction(request: HttpRequest, listing_uuid: uuid.UUID, payload: IntroductionIn) -> Status:
    listing = _get(request, listing_uuid, write=True)
    candidate = _get(request, payload.candidate)
    try:
        intro = services.request_introduction(listing, candidate, by=request.user, message=payload.message)
    except ValidationError as exc:
        raise ApiError(422, "invalid_parameter", exc.messages[0], parameter="candidate") from None
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    return Status(201, {"uuid": intro.uuid, "status": intro.status, "status_label": intro.get_status_display(),
                        "listing": intro.listing.uuid, "candidate": intro.candidate.uuid})
