"""Capacity, waiting list, idempotence and the registration window (Event.register, Registration.cancel)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event, Registration, RegistrationRefused

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_event(capacity: int | None = 2, **fields: object) -> Event:
    org = Organization.objects.create(slug=f"org-{Organization.objects.count()}", name="(財)みやぎ産業振興機構",
                                      kind=Organization.Kind.CORE)
    values: dict[str, object] = {
        "organization": org, "title": "創業セミナー", "kind": Event.Kind.SEMINAR, "capacity": capacity,
        "starts_at": dt.datetime(2026, 5, 20, 14, 0, tzinfo=TOKYO), "ends_at": dt.datetime(2026, 5, 20, 16, 0, tzinfo=TOKYO),
        "status": Event.Status.PUBLISHED,
    }
    values.update(fields)
    return Event.objects.create(**values)


def register(event: Event, n: int) -> Registration:
    return event.register(name=f"参加者{n}", email=f"p{n}@example.jp").registration


def test_third_registrant_of_two_seats_is_waitlisted(db: None) -> None:
    event = make_event(capacity=2)

    first, second, third = register(event, 1), register(event, 2), register(event, 3)

    assert [r.status for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    assert third.waitlist_position() == 1
    assert register(event, 4).waitlist_position() == 2
    assert event.seats_left() == 0


def test_cancelling_a_confirmed_seat_promotes_the_first_waiting(db: None) -> None:
    event = make_event(capacity=2)
    first, _, third, fourth = (register(event, n) for n in range(1, 5))

    promoted = first.cancel()

    assert promoted == [third]
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == Registration.Status.CONFIRMED
    assert fourth.status == Registration.Status.WAITLISTED
    assert fourth.waitlist_position() == 1


def test_cancelling_a_waitlisted_registration_promotes_nobody(db: None) -> None:
    event = make_event(capacity=1)
    register(event, 1)
    waiting, last = register(event, 2), register(event, 3)

    assert waiting.cancel() == []
    last.refresh_from_db()
    assert last.status == Registration.Status.WAITLISTED
    assert last.waitlist_position() == 1


def test_cancelling_twice_changes_nothing_the_second_time(db: None) -> None:
    event = make_event(capacity=1)
    first = register(event, 1)
    register(event, 2)

    assert len(first.cancel()) == 1
    assert first.cancel() == []
    assert event.registrations.filter(status="confirmed").count() == 1


def test_unlimited_event_confirms_everyone(db: None) -> None:
    event = make_event(capacity=None)

    statuses = {register(event, n).status for n in range(10)}

    assert statuses == {"confirmed"}
    assert event.seats_left() is None


def test_registering_twice_with_the_same_email_returns_the_first_registration(db: None) -> None:
    event = make_event(capacity=2)
    first = event.register(name="山田太郎", email="taro@example.jp")

    again = event.register(name="山田 太郎", email=" Taro@Example.JP ")

    assert first.created and not again.created
    assert again.registration.pk == first.registration.pk
    assert event.registrations.count() == 1


def test_a_cancelled_registrant_may_register_again(db: None) -> None:
    event = make_event(capacity=2)
    first = event.register(name="山田太郎", email="taro@example.jp").registration
    first.cancel()

    again = event.register(name="山田太郎", email="taro@example.jp")

    assert again.created
    assert again.registration.status == Registration.Status.CONFIRMED


def test_registration_after_the_deadline_is_refused_with_the_deadline(db: None) -> None:
    event = make_event(registration_closes=dt.datetime(2026, 4, 30, 17, 0, tzinfo=TOKYO))

    with pytest.raises(RegistrationRefused) as refused:
        register(event, 1)

    assert refused.value.code == "closed"
    assert refused.value.message == "申し込みの受付は 2026年4月30日 17:00 に締め切りました。"
    assert event.registrations.count() == 0


def test_registration_closes_when_the_event_starts_without_a_deadline(db: None) -> None:
    event = make_event()

    with (
        time_machine.travel(dt.datetime(2026, 5, 20, 14, 0, tzinfo=TOKYO), tick=False),
        pytest.raises(RegistrationRefused) as refused,
    ):
        register(event, 1)

    assert refused.value.code == "closed"


def test_registration_before_it_opens_is_refused_with_the_opening_time(db: None) -> None:
    event = make_event(registration_opens=dt.datetime(2026, 5, 7, 10, 0, tzinfo=TOKYO))

    with pytest.raises(RegistrationRefused) as refused:
        register(event, 1)

    assert refused.value.message == "申し込みの受付は 2026年5月7日 10:00 からです。"


def test_registration_for_a_cancelled_event_is_refused(db: None) -> None:
    event = make_event(status=Event.Status.CANCELLED)

    with pytest.raises(RegistrationRefused) as refused:
        register(event, 1)

    assert refused.value.message == "このイベントは中止になりました。申し込みは受け付けていません。"


def test_raising_the_capacity_fills_seats_from_the_waiting_list(db: None) -> None:
    event = make_event(capacity=1)
    for n in range(1, 5):
        register(event, n)
    event.capacity = 3
    event.save()

    promoted = event.fill_from_waitlist()

    assert [r.name for r in promoted] == ["参加者2", "参加者3"]
    assert event.registrations.filter(status="waitlisted").get().name == "参加者4"


def test_slug_is_made_from_the_date_when_left_empty(db: None) -> None:
    event = make_event()

    assert event.slug.startswith("20260520-")
    assert len(event.slug) == len("20260520-") + 8
