"""Introductions: asked by one side, approved by the coordinator, consented by both, then a case."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from madoguchi.cases.models import Case, Referral
from madoguchi.matching import matches, services
from madoguchi.matching.models import Introduction


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_whole_flow_through_the_pages_creates_a_case_with_a_referral(tech_set, users, orgs):
    need, seed = tech_set["need"], tech_set["seed"]
    matches.refresh(need)
    r = login(users["maker"]).post(f"/matching/l/{need.uuid}/introduce/", {"candidate": seed.uuid, "message": "試作品で評価したい"})
    intro = Introduction.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/matching/i/{intro.uuid}/"
    assert intro.status == Introduction.Status.REQUESTED and intro.listing_consent_at
    login(users["coordinator"]).post(f"/matching/i/{intro.uuid}/approve/")
    login(users["univ"]).post(f"/matching/i/{intro.uuid}/consent/")
    intro.refresh_from_db()
    assert intro.status == Introduction.Status.CONSENTED
    case = Case.objects.get(code=intro.case_ref)
    assert case.owner == orgs["core"]
    assert "車載カメラ用レンズの曇り止めコーティング" in case.need and "試作品で評価したい" in case.need
    assert set(Referral.objects.filter(case=case).values_list("to_org__slug", flat=True)) == {"maker", "tohoku-u"}


def test_a_retried_request_makes_one_introduction(tech_set, users):
    need, seed = tech_set["need"], tech_set["seed"]
    a = services.request_introduction(need, seed, by=users["maker"])
    b = services.request_introduction(need, seed, by=users["maker"])
    c = services.request_introduction(seed, need, by=users["univ"])
    assert a.pk == b.pk == c.pk and Introduction.objects.count() == 1


def test_no_case_before_the_coordinator_approves(tech_set, users):
    intro = services.request_introduction(tech_set["need"], tech_set["seed"], by=users["maker"])
    services.consent(intro, by=users["univ"])
    intro.refresh_from_db()
    assert intro.status == Introduction.Status.REQUESTED and not intro.case_ref
    services.approve(intro, by=users["coordinator"])
    intro.refresh_from_db()
    assert intro.status == Introduction.Status.CONSENTED and intro.case_ref


def test_only_a_coordinator_approves(tech_set, users):
    intro = services.request_introduction(tech_set["need"], tech_set["seed"], by=users["maker"])
    with pytest.raises(PermissionDenied):
        services.approve(intro, by=users["univ"])


def test_a_third_party_cannot_consent_or_see_it(tech_set, users):
    intro = services.request_introduction(tech_set["need"], tech_set["seed"], by=users["maker"])
    with pytest.raises(PermissionDenied):
        services.consent(intro, by=users["vc"])
    assert login(users["vc"]).get(f"/matching/i/{intro.uuid}/").status_code == 404


def test_kinds_that_do_not_pair_cannot_be_introduced(tech_set, money_set, users):
    with pytest.raises(ValidationError):
        services.request_introduction(tech_set["need"], money_set["investor"], by=users["maker"])


def test_introduction_action_rejects_get(tech_set, users):
    intro = services.request_introduction(tech_set["need"], tech_set["seed"], by=users["maker"])
    assert login(users["coordinator"]).get(f"/matching/i/{intro.uuid}/approve/").status_code == 405


def test_the_consented_introduction_page_links_to_its_case(tech_set, users):
    intro = services.request_introduction(tech_set["need"], tech_set["seed"], by=users["maker"])
    services.approve(intro, by=users["coordinator"])
    services.consent(intro, by=users["univ"])
    intro.refresh_from_db()
    body = login(users["maker"]).get(f"/matching/i/{intro.uuid}/").content.decode()
    assert f"/cases/{intro.case_ref}/" in body and "双方同意" in body


def test_an_introduction_case_records_a_licence_agreement_as_its_outcome(tech_set, users, orgs):
    need, seed = tech_set["need"], tech_set["seed"]
    intro = services.request_introduction(need, seed, by=users["maker"])
    login(users["coordinator"]).post(f"/matching/i/{intro.uuid}/approve/")
    login(users["univ"]).post(f"/matching/i/{intro.uuid}/consent/")
    intro.refresh_from_db()
    referral = Referral.objects.get(case__code=intro.case_ref, to_org__slug="tohoku-u")
    receiver = users["univ"]
    referral.accept(by=receiver, expected_version=referral.version)
    referral.refresh_from_db()
    referral.start(by=receiver, expected_version=referral.version)
    referral.refresh_from_db()
    referral.complete(by=receiver, expected_version=referral.version, outcome="license")
    referral.refresh_from_db()
    assert referral.get_outcome_display() == "ライセンス契約"
    assert "ライセンス契約" in referral.case.activities.last().text
