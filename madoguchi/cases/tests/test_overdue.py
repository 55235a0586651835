"""Unanswered referrals are flagged after REFERRAL_ANSWER_DAYS business days (frozen clock)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.business_days import add_business_days, is_business_day
from madoguchi.cases.models import Case, Referral
from madoguchi.cases.overdue import flag_overdue
from madoguchi.directory.models import Organization
from madoguchi.platform.models import OutboundEmail

JST = ZoneInfo("Asia/Tokyo")


def at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=JST)


def test_business_days_skip_weekends_holidays_and_the_year_end() -> None:
    assert add_business_days(dt.date(2026, 11, 27), 3) == dt.date(2026, 12, 2)  # Fri → Wed
    assert add_business_days(dt.date(2026, 11, 20), 3) == dt.date(2026, 11, 26)  # 11/23 勤労感謝の日
    assert add_business_days(dt.date(2026, 12, 28), 1) == dt.date(2027, 1, 4)  # 12/29–1/3 closed
    assert not is_business_day(dt.date(2026, 5, 6))  # 振替休日


@pytest.fixture
def sent_friday(case: Case, alice: User, org_b: Organization, bob: User, cora: User) -> Referral:
    with time_machine.travel(at(2026, 11, 27, 10, 0), tick=False):
        referral = case.refer(by=alice, to_org=org_b)
    OutboundEmail.objects.all().delete()  # the "referral sent" mail; these tests look at what follows
    return referral


def test_a_referral_is_not_flagged_on_its_last_business_day(sent_friday: Referral, settings: Any) -> None:
    settings.REFERRAL_ANSWER_DAYS = 3
    with time_machine.travel(at(2026, 12, 2, 23, 30), tick=False):
        assert flag_overdue() == 0
    sent_friday.refresh_from_db()
    assert sent_friday.overdue_flagged_at is None and not OutboundEmail.objects.exists()


def test_an_unanswered_referral_is_flagged_once_and_both_sides_are_emailed(
    sent_friday: Referral, settings: Any, bob: User, cora: User, client: HttpClient,
) -> None:
    settings.REFERRAL_ANSWER_DAYS = 3
    with time_machine.travel(at(2026, 12, 3, 9, 0), tick=False):
        assert flag_overdue() == 1
        assert flag_overdue() == 0  # flagged once, emailed once
    sent_friday.refresh_from_db()
    assert sent_friday.overdue_flagged_at is not None
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted([bob.email, cora.email])
    first = OutboundEmail.objects.first()
    assert first is not None and "期限を過ぎています" in first.subject
    client.force_login(cora)
    assert sent_friday.case.short_code in client.get(reverse("cases:inbox")).content.decode()


def test_the_number_of_days_is_configurable(sent_friday: Referral, settings: Any) -> None:
    settings.REFERRAL_ANSWER_DAYS = 5
    with time_machine.travel(at(2026, 12, 3, 9, 0), tick=False):
        assert flag_overdue() == 0
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        assert flag_overdue() == 1


def test_an_answered_referral_is_never_flagged(sent_friday: Referral, bob: User) -> None:
    sent_friday.accept(by=bob, expected_version=1)
    with time_machine.travel(at(2026, 12, 10, 9, 0), tick=False):
        assert flag_overdue() == 0


def test_the_command_flags_too(sent_friday: Referral) -> None:
    with time_machine.travel(at(2026, 12, 10, 9, 0), tick=False):
        call_command("flag_overdue", "--days", "3")
    sent_friday.refresh_from_db()
    assert sent_friday.overdue_flagged_at is not None
