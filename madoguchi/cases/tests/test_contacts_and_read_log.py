"""The client's contacts reach the staff who act on the case; the read log keeps one line a day."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case, CaseRead, Referral


def _page(client: HttpClient, user: User, case: Case) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:case", args=[case.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_staff_who_may_act_see_the_clients_email_and_phone(referral: Referral, alice: User, bob: User,
                                                            client: HttpClient) -> None:
    case = referral.case
    case.client.phone = "022-225-6636"
    case.client.save()
    for user in (alice, bob):
        html = _page(client, user, case)
        assert 'href="mailto:yamada@example.jp"' in html and 'href="tel:022-225-6636"' in html


def test_read_only_staff_do_not_see_the_clients_contacts(referral: Referral, dora: User, client: HttpClient) -> None:
    case = referral.case
    case.client.phone = "022-225-6636"
    case.client.save()
    html = _page(client, dora, case)
    assert "yamada@example.jp" not in html and "022-225-6636" not in html
    assert "相談者の連絡先は、この相談に対応できる担当者にだけ表示されます。" in html


def test_many_views_in_a_day_are_one_line_with_what_was_read(referral: Referral, bob: User, client: HttpClient) -> None:
    case = referral.case
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        for _ in range(10):
            _page(client, bob, case)
    read = CaseRead.objects.get()
    assert read.count == 10 and read.day == dt.date(2026, 12, 7)
    assert read.what == [CaseRead.What.CASE]

    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        _page(client, bob, case)
    assert CaseRead.objects.count() == 2  # a new day is a new line

    assert case.client.user is not None
    client.force_login(case.client.user)
    html = client.get(reverse("cases:case", args=[case.code])).content.decode()
    assert "2026-12-07" in html and "相談の内容" in html and "10 回" in html


def test_a_document_read_is_added_to_the_days_line(referral: Referral, alice: User, bob: User, client: HttpClient) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from madoguchi.cases.models import Activity

    case = referral.case
    activity = case.add_activity(Activity.Kind.DOCUMENT, by=alice, text="決算書",
                                 attachment=SimpleUploadedFile("kessan.pdf", b"%PDF-1.4"))
    _page(client, bob, case)
    assert client.get(reverse("cases:document", args=[case.code, activity.uuid])).status_code == 200
    read = CaseRead.objects.get()
    assert read.what == [CaseRead.What.CASE, CaseRead.What.DOCUMENT] and read.count == 2
