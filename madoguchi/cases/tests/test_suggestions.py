"""The coordinator sees institutions and programs the one-stop search suggests for a case."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case, Referral
from madoguchi.directory.models import Organization, Program


def test_the_coordinator_sees_programs_matching_the_consultation(
    case: Case, cora: User, alice: User, org_b: Organization, client: HttpClient,
) -> None:
    Program.objects.create(
        organization=org_b, slug="sogyo-yushi", name="創業者向け融資あっせん",
        description="創業して間もない事業者に、設備資金・運転資金の融資をあっせんします。",
    )
    Program.objects.create(organization=org_b, slug="kaigai-tenjikai", name="海外展示会出展支援",
                           description="海外の見本市への出展を支援します。")
    case.need = "創業したばかりで、設備資金の融資を受けたい"
    case.save()

    client.force_login(cora)
    html = client.get(reverse("cases:case", args=[case.code])).content.decode()
    assert "おすすめの支援機関・制度" in html
    assert html.index("創業者向け融資あっせん") < html.find("海外展示会出展支援") or "海外展示会出展支援" not in html

    assert f'name="to_org" value="{org_b.slug}"' in html and "この機関（仙台市産業振興事業団）に紹介する" in html
    preselected = client.get(reverse("cases:case", args=[case.code]) + f"?refer_to={org_b.slug}").content.decode()
    assert f'<option value="{org_b.slug}" selected>' in preselected

    client.force_login(alice)  # staff who are not coordinators do not triage
    assert "おすすめの支援機関・制度" not in client.get(reverse("cases:case", args=[case.code])).content.decode()


def _suggest_b(case: Case, org_b: Organization) -> None:
    Program.objects.create(organization=org_b, slug="sogyo-yushi", name="創業者向け融資あっせん",
                           description="創業して間もない事業者に、設備資金・運転資金の融資をあっせんします。")
    case.need = "創業したばかりで、設備資金の融資を受けたい"
    case.save()


def test_refer_to_a_suggested_institution_creates_the_referral(
    case: Case, cora: User, org_b: Organization, client: HttpClient,
) -> None:
    _suggest_b(case, org_b)
    client.force_login(cora)
    html = client.get(reverse("cases:case", args=[case.code])).content.decode()
    assert "この機関（仙台市産業振興事業団）に紹介する" in html
    # What the suggestion's button sends: the institution and a prefilled message.
    response = client.post(reverse("cases:refer", args=[case.code]),
                           {"to_org": org_b.slug, "message": "ワンストップ検索のおすすめ「創業者向け融資あっせん」について"})
    assert response.status_code == 302
    referral = Referral.objects.get(case=case)
    assert (referral.to_org, referral.status) == (org_b, Referral.Status.SENT)
    html = client.get(reverse("cases:case", args=[case.code])).content.decode()
    assert "この機関には紹介済みです。" in html


def test_a_suggested_institution_outside_the_consent_is_explained_not_offered(
    case: Case, cora: User, org_b: Organization, org_c: Organization, client: HttpClient,
) -> None:
    _suggest_b(case, org_b)
    case.consent = Case.Consent.NAMED
    case.save()
    case.named_organizations.set([org_c])
    client.force_login(cora)
    html = client.get(reverse("cases:case", args=[case.code])).content.decode()
    assert "この機関（仙台市産業振興事業団）に紹介する" not in html
    assert "相談者が共有を認めた機関に含まれていないため、紹介できません。" in html
    # The referral form lists only the consented institution (and the core one, the owner here).
    assert f'<option value="{org_c.slug}"' in html and f'<option value="{org_b.slug}"' not in html
    assert "選べるのは、相談者が共有を認めた機関と中核的支援機関だけです。" in html
    response = client.post(reverse("cases:refer", args=[case.code]), {"to_org": org_b.slug, "message": ""})
    assert response.status_code == 400 and not Referral.objects.exists()


def test_the_prefecture_is_never_a_referral_target(case: Case, cora: User, client: HttpClient) -> None:
    prefecture = Organization.objects.create(slug="miyagi-prefecture-economy", name="宮城県 経済商工観光部",
                                             kind=Organization.Kind.PREFECTURE)
    client.force_login(cora)
    html = client.get(reverse("cases:case", args=[case.code])).content.decode()
    assert f'<option value="{prefecture.slug}"' not in html
    response = client.post(reverse("cases:refer", args=[case.code]), {"to_org": prefecture.slug, "message": ""})
    assert response.status_code == 400 and not Referral.objects.exists()
