"""Sharing only as far as the client consented; every read by another institution logged."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Activity, Case, CaseRead, Client, Referral
from madoguchi.directory.models import Organization


def _view(http: HttpClient, user: User, case: Case) -> int:
    http.force_login(user)
    return http.get(reverse("cases:case", args=[case.code])).status_code


def test_withdrawing_consent_stops_access_for_other_institutions(
    referral: Referral, alice: User, bob: User, client: HttpClient,
) -> None:
    case = referral.case
    assert _view(client, bob, case) == 200

    assert case.client.user is not None
    client.force_login(case.client.user)
    response = client.post(reverse("cases:withdraw_consent", args=[case.code]))
    assert response.status_code == 302

    case.refresh_from_db()
    assert case.consent_withdrawn_at is not None
    assert case.activities.filter(kind=Activity.Kind.CONSENT).exists()  # the withdrawal is recorded
    assert _view(client, bob, case) == 404
    assert _view(client, alice, case) == 200  # the institution the client came to keeps the case
    from madoguchi.platform.models import OutboundEmail

    told = OutboundEmail.objects.filter(subject__contains="同意が撤回されました")
    assert list(told.values_list("to", flat=True)) == [bob.email]  # B is told; the owner keeps the case


def test_after_withdrawal_no_new_referral_can_be_made(case: Case, alice: User, org_c: Organization) -> None:
    case.withdraw_consent(by=case.client.user)
    with pytest.raises(ValidationError) as info:
        case.refer(by=alice, to_org=org_c)
    assert "同意を撤回" in info.value.messages[0]
    assert not Referral.objects.exists()


def test_only_the_client_can_withdraw_consent(case: Case, alice: User, client: HttpClient) -> None:
    client.force_login(alice)
    assert client.post(reverse("cases:withdraw_consent", args=[case.code])).status_code == 403
    case.refresh_from_db()
    assert case.consent_active


def test_a_read_by_another_institution_is_logged_and_shown_to_the_client(
    referral: Referral, alice: User, bob: User, client: HttpClient,
) -> None:
    case = referral.case
    _view(client, alice, case)  # the owner: not logged
    assert not CaseRead.objects.exists()
    _view(client, bob, case)
    read = CaseRead.objects.get()
    assert (read.case, read.user, read.organization) == (case, bob, bob.membership.organization)

    assert case.client.user is not None
    client.force_login(case.client.user)
    html = client.get(reverse("cases:case", args=[case.code])).content.decode()
    assert "この相談を閲覧した他の機関" in html and "仙台市産業振興事業団" in html


def test_a_refused_read_is_not_logged_as_a_read(case: Case, charlie: User, client: HttpClient) -> None:
    assert _view(client, charlie, case) == 404
    assert not CaseRead.objects.exists()


def test_the_client_sees_only_their_own_cases_in_the_list(case: Case, other_client: Client, client: HttpClient) -> None:
    from madoguchi.cases.tests.conftest import make_case

    theirs = make_case(other_client, case.owner, need="別の人の相談")
    assert case.client.user is not None
    client.force_login(case.client.user)
    html = client.get(reverse("cases:list")).content.decode()
    assert case.short_code in html and theirs.short_code not in html


def test_the_receiver_lists_a_case_referred_to_it(referral: Referral, bob: User, charlie: User, client: HttpClient) -> None:
    client.force_login(bob)
    assert referral.case.short_code in client.get(reverse("cases:list")).content.decode()
    client.force_login(charlie)
    assert referral.case.short_code not in client.get(reverse("cases:list")).content.decode()


def test_withdrawing_consent_closes_open_referrals_to_other_institutions(referral: Referral) -> None:
    case = referral.case
    case.withdraw_consent(by=case.client.user)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED and "同意を撤回" in referral.reason

    import datetime as dt

    import time_machine
    from django.utils import timezone

    from madoguchi.cases.overdue import flag_overdue

    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        assert flag_overdue() == 0  # nobody is chased for a case they may no longer see
