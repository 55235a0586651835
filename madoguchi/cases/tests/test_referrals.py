"""The referral loop: sent → accepted/declined → in progress → completed/closed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case, Conflict, Referral
from madoguchi.directory.models import Organization
from madoguchi.platform.models import OutboundEmail


def test_the_receiver_hears_of_the_referral(case: Case, alice: User, bob: User, dora: User, org_b: Organization) -> None:
    case.refer(by=alice, to_org=org_b)
    assert list(OutboundEmail.objects.filter(subject__contains="紹介が届きました").values_list("to", flat=True)) == [bob.email]


def test_the_full_loop_ends_with_an_outcome(referral: Referral, bob: User) -> None:
    referral.accept(by=bob, expected_version=1)
    referral.start(by=bob, expected_version=2)
    referral.complete(by=bob, expected_version=3, outcome="loan")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.version) == (Referral.Status.COMPLETED, "loan", 4)
    assert referral.responded_at is not None
    assert referral.history.count() >= 4  # audited: created + three transitions
    texts = list(referral.case.activities.values_list("text", flat=True))
    assert any("完了" in t and "融資実行" in t for t in texts)


def test_an_impossible_transition_is_refused_in_japanese(referral: Referral, bob: User) -> None:
    with pytest.raises(ValidationError) as info:
        referral.complete(by=bob, expected_version=1, outcome="loan")
    assert "送付済み" in info.value.messages[0]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT and referral.version == 1


def test_declining_needs_a_reason(referral: Referral, bob: User) -> None:
    with pytest.raises(ValidationError) as info:
        referral.decline(by=bob, expected_version=1, reason="  ")
    assert "辞退の理由" in info.value.messages[0]


def test_a_declined_referral_returns_the_case_to_the_coordinator(
    referral: Referral, bob: User, cora: User, client: HttpClient,
) -> None:
    referral.decline(by=bob, expected_version=1, reason="当機関の対象外（製造業のみ）")
    case = Case.objects.get(pk=referral.case.pk)
    assert case.status == Case.Status.RETURNED
    assert OutboundEmail.objects.filter(to=cora.email, subject__contains="辞退").exists()
    client.force_login(cora)
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert case.short_code in inbox


def test_the_inbox_is_for_coordinators_only(alice: User, client: HttpClient) -> None:
    client.force_login(alice)
    assert client.get(reverse("cases:inbox")).status_code == 403


def test_a_referral_to_the_same_institution_is_refused_and_nothing_stored(case: Case, alice: User, org_a: Organization) -> None:
    with pytest.raises(ValidationError) as info:
        case.refer(by=alice, to_org=org_a)
    assert "自分の機関には紹介できません" in info.value.messages[0]
    assert not Referral.objects.exists()


def test_the_refer_form_says_why_a_same_institution_referral_fails(case: Case, alice: User, client: HttpClient) -> None:
    client.force_login(alice)
    response = client.post(reverse("cases:refer", args=[case.code]), {"to_org": "miyagi-ip"})
    assert response.status_code == 400
    assert "自分の機関には紹介できません" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_referral_outside_the_named_consent_is_refused(
    case: Case, alice: User, org_b: Organization, org_c: Organization,
) -> None:
    case.consent = Case.Consent.NAMED
    case.save()
    case.named_organizations.set([org_b])
    with pytest.raises(ValidationError) as info:
        case.refer(by=alice, to_org=org_c)
    assert "同意した共有先に含まれていない" in info.value.messages[0]
    case.refer(by=alice, to_org=org_b)  # the named one is fine


def test_with_core_only_consent_no_other_institution_can_receive(case: Case, alice: User, org_b: Organization) -> None:
    case.consent = Case.Consent.CORE_ONLY
    case.save()
    with pytest.raises(ValidationError):
        case.refer(by=alice, to_org=org_b)
    assert not Referral.objects.exists()


def test_the_database_refuses_a_referral_to_the_same_institution(case: Case, org_a: Organization) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(case=case, from_org=org_a, to_org=org_a)


class TestVersionConflict:
    def test_the_second_of_two_simultaneous_changes_gets_a_conflict(self, referral: Referral, bob: User) -> None:
        # Two staff at B loaded the referral at version 1.
        first = Referral.objects.get(pk=referral.pk)
        second = Referral.objects.get(pk=referral.pk)
        first.accept(by=bob, expected_version=1)
        with pytest.raises(Conflict) as info:
            second.decline(by=bob, expected_version=1, reason="対象外")
        assert str(info.value) == "この紹介は他の担当者が先に更新しました。画面を再読み込みしてください。"
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED and referral.reason == ""

    def test_the_page_shows_the_conflict_with_409(self, referral: Referral, bob: User, client: HttpClient) -> None:
        client.force_login(bob)
        url = reverse("cases:referral_action", args=[referral.case.code, referral.uuid, "accept"])
        assert client.post(url, {"version": 1}).status_code == 302
        decline = reverse("cases:referral_action", args=[referral.case.code, referral.uuid, "decline"])
        response = client.post(decline, {"version": 1, "reason": "対象外"})
        assert response.status_code == 409
        assert "この紹介は他の担当者が先に更新しました" in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED and referral.version == 2
