"""Many people taking the last seats at once: the event row lock keeps the count right.

Threads need real transactions and a server that runs them concurrently: PostgreSQL.
(On SQLite the IMMEDIATE transactions serialise writers, and the test database is in memory.)
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event, Registration


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_overfill_the_event() -> None:
    org = Organization.objects.create(slug="o", name="機構", kind=Organization.Kind.CORE)
    start = timezone.now() + dt.timedelta(days=7)
    event = Event.objects.create(organization=org, title="商談会", capacity=3, status=Event.Status.PUBLISHED,
                                 starts_at=start, ends_at=start + dt.timedelta(hours=2))
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def register(n: int) -> None:
        try:
            barrier.wait()
            # Person 0 and person 1 use the same email: a double submission racing itself.
            Event.objects.get(pk=event.pk).register(name=f"{n}", email=f"p{max(n, 1)}@example.jp")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert len(statuses) == 11
    assert statuses.count("confirmed") == 3
    assert statuses.count("waitlisted") == 8
