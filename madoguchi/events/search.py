"""Events in the one-stop search, as kind "event", through the search registry.

Only events a person can still attend are indexed: published and not yet over. Drafts and
cancelled events have no document; saving, cancelling or deleting an event rewrites or drops
its document at once (the registry's signals).

The index cannot filter by time at query time, so an event that simply ends keeps its
document until something refreshes it: the `send-event-digests` job, which the worker runs daily,
drops the documents of ended events (`drop_ended_events`), and `madoguchi reindex` never
writes them. An event is therefore found for at most a day after it ended; its page then
says registration has closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from madoguchi.search.registry import (
    DocMeta,
    add_dependents,
    codes,
    flush,
    function_words,
    indexed_pks,
    inferred_fields,
    mark_dirty,
    register,
)

KIND = "event"

# When staff tick no support function, the event's kind says what it is for in the plan:
# seminars and courses are its 人材育成事業, 商談会 and fairs its 販路開拓 (みやぎビジネスマーケット).
KIND_FUNCTIONS: dict[str, set[str]] = {
    "seminar": {"talent"},
    "course": {"talent"},
    "business_meeting": {"market"},
    "fair": {"market"},
}


def is_searchable(event: Any, now: dt.datetime | None = None) -> bool:
    """Return whether the event belongs in the search: published and not yet over."""
    from madoguchi.events.models import Event

    return event.status == Event.Status.PUBLISHED and event.ends_at >= (now or timezone.now())


def event_doc(event: Any) -> DocMeta | None:
    """Return the event's search document, or None when it must not be found."""
    if not is_searchable(event):
        return None
    # The index is Japanese whatever language the person saving the event reads the admin in.
    with translation.override("ja"):
        return _doc(event)


def _doc(event: Any) -> DocMeta:
    org = event.organization
    functions = codes(event.functions) or set(KIND_FUNCTIONS.get(event.kind, set()))
    place = event.municipality
    parts = [
        event.get_kind_display(), "イベント", event.description,
        function_words(functions),
        event.venue, event.address, place.name if place else "",
        "オンライン開催" if event.online else "", org.display_name,
    ]
    return DocMeta(
        id=event.slug, kind=KIND, title=event.title, text="\n".join(p for p in parts if p),
        organization=org.display_name, organization_id=org.slug, functions=functions,
        stages=codes(event.stages),
        # the record's own words may name a field (ソフトウェア → IT) that staff did not tick
        fields=codes(event.fields) | inferred_fields(event.title, event.description),
        municipalities={place.code} if place else set(),
        url=event.get_absolute_url(),
    )


def _indexable() -> Any:
    """The events `madoguchi reindex` and a save read: only those that may have a document."""
    from madoguchi.events.models import Event

    return (
        Event.objects.published().upcoming()
        .select_related("organization", "municipality")
        .prefetch_related("functions", "stages", "fields")
    )


def drop_ended_events(now: dt.datetime | None = None) -> int:
    """Remove the documents of events that are no longer searchable; return how many."""
    from madoguchi.events.models import Event

    indexed = indexed_pks(KIND)
    searchable = {str(pk) for pk in Event.objects.published().upcoming(now).values_list("pk", flat=True)}
    stale = [pk for pk in indexed if pk not in searchable]
    with transaction.atomic():  # one rewrite and one index version for all of them
        for pk in stale:
            mark_dirty(KIND, pk)
        flush()
    return len(stale)


def _organizers_events(org_pks: list[Any]) -> Iterable[tuple[str, Any]]:
    # An event's document shows its organizer's name: a renamed institution refreshes them,
    # only those that can have a document (years of past events need no rewriting).
    from madoguchi.events.models import Event

    for pk in Event.objects.filter(organization__in=org_pks).published().upcoming().values_list("pk", flat=True):
        yield KIND, pk


def register_events() -> None:
    """Make published, upcoming events searchable as 「イベント」 (called from EventsConfig.ready)."""
    from madoguchi.events.models import Event

    # The label is lazy, so a result card in English says "Event" (its own context: the
    # model's verbose name 「イベント」 is the plural "Events").
    register(
        KIND, Event, event_doc, queryset=_indexable, label=pgettext_lazy("search result kind", "イベント"),
        m2m=[Event.functions, Event.stages, Event.fields],
    )
    add_dependents("organization", _organizers_events)
