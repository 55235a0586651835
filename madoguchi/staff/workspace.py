"""What an institution's staff keep current, and the referrals waiting for them: plain queries.

Every query takes the institution from the user's membership, never from the request, so a
page can list only its own rows. Referral due dates are the worker's (cases.overdue): the same
REFERRAL_ANSWER_DAYS business days, shown while they are still ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from madoguchi.cases.business_days import add_business_days, is_business_day
from madoguchi.cases.models import Case, Referral
from madoguchi.directory.models import Facility, Organization, Program
from madoguchi.events.models import Event
from madoguchi.matching.models import Listing

ROW_LIMIT = 300  # one institution's own records; the admin is there for bulk work


def programs_of(organization: Organization) -> QuerySet[Program]:
    return Program.objects.filter(organization=organization).order_by("retired_at", "order", "name", "pk")[:ROW_LIMIT]


def facilities_of(organization: Organization) -> QuerySet[Facility]:
    return Facility.objects.filter(operator=organization).order_by("retired_at", "name", "pk")[:ROW_LIMIT]


def events_of(organization: Organization) -> QuerySet[Event]:
    return Event.objects.filter(organization=organization).order_by("-starts_at", "pk")[:ROW_LIMIT]


def listings_of(organization: Organization) -> QuerySet[Listing]:
    return Listing.objects.filter(owner_organization=organization).order_by("-updated", "pk")[:ROW_LIMIT]


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_business_day(day)
    return count


@dataclass(frozen=True)
class InboxItem:
    referral: Referral
    due_on: dt.date | None  # the answer deadline, for referrals still waiting for an answer
    days_left: int | None  # business days left before it; 0 = today; None when past or answered

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.days_left is None

    @property
    def due_soon(self) -> bool:
        return self.days_left is not None and self.days_left <= 1


def due_on(referral: Referral, business_days: int | None = None) -> dt.date:
    days = settings.REFERRAL_ANSWER_DAYS if business_days is None else business_days
    return add_business_days(timezone.localdate(referral.created), days)


def referral_inbox(organization: Organization, today: dt.date | None = None) -> list[InboxItem]:
    """Open referrals to the institution that its consent lets it see, the unanswered first,
    soonest deadline first."""
    today = today or timezone.localdate()
    referrals = (
        Referral.objects.filter(to_org=organization, status__in=Referral.OPEN_STATUSES,
                                case__in=Case.objects.shared_with(organization))
        .select_related("case", "from_org").order_by("created", "pk")[:ROW_LIMIT]
    )
    items = []
    for referral in referrals:
        if referral.status != Referral.Status.SENT:
            items.append(InboxItem(referral, None, None))
            continue
        due = due_on(referral)
        left = business_days_between(today, due) if due >= today else None
        items.append(InboxItem(referral, due, left))
    return sorted(items, key=lambda i: (i.due_on is None, i.due_on or dt.date.max))


def slug_for(organization: Organization, model: Any) -> str:
    """A unique slug for a new record: Japanese names slugify to nothing, so the institution's
    slug and a random part (readable in a URL, stable across renames)."""
    import uuid

    while True:
        slug = f"{organization.slug[:60]}-{uuid.uuid4().hex[:8]}"
        if not model.objects.filter(slug=slug).exists():
            return slug


def retire(record: Program | Facility, by: Any) -> None:
    """Take a program or facility off the public pages and the search; its history stays."""
    record.retired_at = timezone.now()
    record._history_user = by  # type: ignore[union-attr]  # simple_history reads it; directory's models do not declare it
    record.save()


def reinstate(record: Program | Facility, by: Any) -> None:
    record.retired_at = None
    record._history_user = by  # type: ignore[union-attr]  # simple_history reads it; directory's models do not declare it
    record.save()


def retire_listing(listing: Listing, by: Any) -> None:
    """End a listing now (as if it expired): it leaves lists and suggestions; 「更新」 brings it back."""
    listing.status = Listing.Status.EXPIRED
    listing._history_user = by
    listing.save()


def after_event_saved(event: Event, *, status_changed: bool) -> list[str]:
    """What the admin does after an event is saved, for the staff's own form too: tell the
    registrants of a cancellation, give raised capacity to the waiting list. Returns messages."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from madoguchi.events import notify

    said: list[str] = []
    if status_changed and event.status == Event.Status.CANCELLED:
        told = notify.event_cancelled(event)
        said.append(_("申込者 %(n)d 名に中止のお知らせを送ります。") % {"n": told})
    if event.status == Event.Status.PUBLISHED:
        with transaction.atomic():
            promoted = event.fill_from_waitlist()
            for registration in promoted:
                notify.promoted(registration)
        if promoted:
            said.append(_("キャンセル待ちの %(n)d 名を参加確定に繰り上げました。") % {"n": len(promoted)})
    return said
