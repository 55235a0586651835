"""Anonymising event registrations once the event is long over, keeping what statistics need.

The same approach as cases/anonymise.py: the rows stay, the personal fields go. Kept: the
event, status (confirmed, waitlisted, cancelled), when the person registered, consented and
cancelled — so attendance and waiting-list figures still add up. Blanked: name, company or
organization name, email and phone, and the outbox's copies of the mail to the registrants
(platform/redaction.py: the confirmations and notices about each registration, and sent mail to
their addresses). Each event's registrations are anonymised in one transaction, so an
interrupted run leaves every event either untouched or done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from madoguchi.events.models import Event, Registration
from madoguchi.platform.redaction import REDACTED, redact_outbox, reference

# The retention period is settings.REGISTRATION_RETENTION_DAYS (a year by default: long enough
# for follow-up such as the next course or a 商談会's results, far shorter than keeping names
# forever); `--older-than` overrides it.


def anonymisable_events(older_than_days: int, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Events that ended more than `older_than_days` ago and still hold personal data, oldest first."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    return (
        Event.objects.filter(ends_at__lt=cutoff, registrations__anonymised_at__isnull=True)
        .distinct().order_by("ends_at", "pk")
    )


@transaction.atomic
def anonymise_event_registrations(event: Event, now: dt.datetime | None = None) -> int:
    """Blank the personal fields of the event's registrations; return how many rows changed."""
    registrations = Registration.objects.filter(event=event, anonymised_at__isnull=True)
    people = list(registrations.only("pk", "email"))
    redact_outbox(addresses=[person.email for person in people], references=[reference(person) for person in people])
    return registrations.update(
        name=REDACTED, organization_name="", email="", phone="", anonymised_at=now or timezone.now(),
    )


def anonymise_registrations(
    older_than_days: int, progress: Callable[[Event, int], None] | None = None, now: dt.datetime | None = None,
) -> int:
    """Anonymise the registrations of every event that ended more than `older_than_days` ago.

    Calls `progress(event, count)` after each event; returns the number of registrations.
    """
    total = 0
    for event in list(anonymisable_events(older_than_days, now)):
        count = anonymise_event_registrations(event, now)
        total += count
        if progress is not None:
            progress(event, count)
    return total
