"""Events in the JSON API: upcoming published events, and one event by id (slug)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from madoguchi.directory.models import Municipality, Organization, SupportFunction
from madoguchi.events.models import Event, EventQuerySet
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

router = Router(tags=["events"])

FunctionCode = choices_literal(SupportFunction.Code)
EventKind = choices_literal(Event.Kind)


class EventOrganizationOut(Schema):
    id: str
    name: str


class EventMunicipalityOut(Schema):
    code: str
    name: str


class EventOut(Schema):
    id: str
    uuid: str
    title: str
    kind: str
    kind_label: str
    status: str
    organization: EventOrganizationOut
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    address: str
    municipality: EventMunicipalityOut | None
    online: bool
    capacity: int | None
    seats_left: int | None
    registration_open: bool
    registration_closes: dt.datetime
    fee: str
    functions: list[str]
    description: str
    url: str


class EventList(Schema):
    count: int
    items: list[EventOut]


def event_item(event: Event) -> dict[str, Any]:
    """One event as the API shows it; needs organization, municipality and functions loaded."""
    return {
        "id": event.slug,
        "uuid": str(event.uuid),
        "title": event.title,
        "kind": event.kind,
        "kind_label": choice_label(Event.Kind, event.kind),
        "status": event.status,
        "organization": {"id": event.organization.slug, "name": event.organization.display_name},
        # Local (Asia/Tokyo) offsets: a client showing the string as-is shows the right hour.
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "venue": event.venue,
        "address": event.address,
        "municipality": (
            {"code": event.municipality.code, "name": event.municipality.name} if event.municipality else None
        ),
        "online": event.online,
        "capacity": event.capacity,
        "seats_left": event.seats_left(),
        "registration_open": event.is_open(),
        "registration_closes": timezone.localtime(event.closes_at),
        "fee": event.fee,
        "functions": [f.name for f in event.functions.all()],
        "description": event.description,
        "url": event.get_absolute_url(),
    }


def _events() -> EventQuerySet:
    return (
        Event.objects.select_related("organization", "municipality")
        .prefetch_related(Prefetch("functions", queryset=SupportFunction.objects.order_by("order")))
        .with_confirmed_count()
    )


@router.get("/events", response={200: EventList, 422: ErrorOut}, summary="これから開かれるイベント")
def list_events(
    request: HttpRequest,
    function: FunctionCode | None = None,  # type: ignore[valid-type]  # a Literal built from the choices at import
    kind: EventKind | None = None,  # type: ignore[valid-type]  # a Literal built from the choices at import
    municipality: str | None = Query(None, pattern=MUNICIPALITY_PATTERN, description="市区町村の団体コード"),
    organization: str | None = Query(None, pattern=SLUG_PATTERN, description="支援機関の id（スラッグ）"),
    limit: int = limit_param(),
    offset: int = offset_param(),
) -> dict[str, Any]:
    """Published events that have not ended, soonest first."""
    events = _events().listed()
    if function:
        events = events.offering(function)
    if kind:
        events = events.filter(kind=kind)
    if municipality:
        if not Municipality.objects.filter(code=municipality).exists():
            raise invalid_parameter(
                "municipality",
                _("municipality「%(code)s」は登録されている団体コードではありません（例: 04100 = 仙台市）。")
                % {"code": municipality},
            )
        events = events.in_municipality(municipality)
    if organization:
        if not Organization.objects.filter(slug=organization).exists():
            raise invalid_parameter(
                "organization", _("organization「%(id)s」という支援機関はありません。") % {"id": organization}
            )
        events = events.filter(organization__slug=organization)
    count, rows = paginate(events, limit, offset)
    return {"count": count, "items": [event_item(e) for e in rows]}


@router.get("/events/{id}", response={200: EventOut, 404: ErrorOut}, summary="イベントの詳細")
def get_event(request: HttpRequest, id: str) -> dict[str, Any]:
    event = _events().exclude(status=Event.Status.DRAFT).filter(slug=id).first()
    if event is None:
        raise not_found(_("イベント「%(id)s」は見つかりませんでした。") % {"id": id})
    return event_item(event)
