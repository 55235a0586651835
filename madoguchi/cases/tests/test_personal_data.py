"""個人情報保護法: the client's download of everything held, and anonymisation after retention."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from madoguchi.cases.models import Activity, Case, Client, Referral
from madoguchi.directory.models import Organization


def test_the_client_downloads_everything_held_about_them(
    referral: Referral, bob: User, client: HttpClient, function: Any,
) -> None:
    case = referral.case
    case.functions.add(function)
    client.force_login(bob)
    client.get(reverse("cases:case", args=[case.code]))  # B reads the case: logged
    assert case.client.user is not None
    client.force_login(case.client.user)

    response = client.get(reverse("cases:export", args=[case.code]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["client"] == {"kind": "個人", "name": "山田太郎", "corporate_number": "", "contact_name": "",
                              "email": "yamada@example.jp", "phone": "", "registered_at": data["client"]["registered_at"]}
    (exported,) = data["cases"]
    assert exported["need"] == "食品の販路を広げたい" and exported["functions"] == ["資金・設備支援"]
    assert exported["referrals"][0]["to"] == "仙台市産業振興事業団"
    assert [r["organization"] for r in exported["read_by"]] == ["仙台市産業振興事業団"]
    assert {t["kind"] for t in exported["timeline"]} >= {"受付", "紹介"}


def _closed_case(case: Case, alice: User, when: dt.datetime) -> Case:
    with time_machine.travel(when, tick=False):
        case.close(by=alice, outcome="founded")
    return case


def test_anonymising_keeps_statistics_and_blanks_personal_data(
    referral: Referral, alice: User, bob: User, stage: Any, function: Any,
) -> None:
    case = referral.case
    case.stage = stage
    case.save()
    case.functions.add(function)
    case.add_note(by=alice, text="山田様の携帯 090-1234-5678")
    case.add_activity(Activity.Kind.DOCUMENT, by=alice, attachment=SimpleUploadedFile("履歴事項.pdf", b"%PDF secret"))
    referral.decline(by=bob, expected_version=1, reason="山田様は対象外")
    document = case.activities.get(kind=Activity.Kind.DOCUMENT)
    path = document.attachment.path
    _closed_case(case, alice, timezone.now() - dt.timedelta(days=400))
    client_user_pk = case.client.user_id
    assert client_user_pk is not None

    call_command("anonymise_cases", "--older-than", "365")

    case = Case.objects.get(pk=case.pk)
    assert case.anonymised_at is not None and case.municipality is not None
    # kept for statistics
    assert (case.municipality.code, case.stage, case.outcome, case.status) == ("041009", stage, "founded", "closed")
    assert list(case.functions.all()) == [function] and case.created and case.closed_at
    assert case.referrals.get().to_org.slug == "sendai-sangyo"
    # gone
    assert "山田" not in case.need
    assert not case.activities.exclude(text="").exists()
    assert not case.referrals.exclude(reason="").exists()
    assert not any("山田" in (h.need or "") for h in case.history.all())
    assert not any("山田" in (h.reason or "") for h in Referral.history.filter(case_id=case.pk))
    client = Client.objects.get(pk=case.client_id)
    assert (client.name, client.email, client.user_id) == ("", "", None)
    assert not User.objects.filter(pk=client_user_pk).exists()
    import os

    assert not os.path.exists(path)


def test_cases_within_the_retention_period_or_still_open_are_kept(case: Case, alice: User, other_client: Any,
                                                                  org_a: Organization) -> None:
    from madoguchi.cases.tests.conftest import make_case

    _closed_case(case, alice, timezone.now() - dt.timedelta(days=30))
    open_case = make_case(other_client, org_a)
    call_command("anonymise_cases", "--older-than", "365")
    assert not Case.objects.filter(anonymised_at__isnull=False).exists()
    assert Case.objects.get(pk=open_case.pk).need == "食品の販路を広げたい"


def test_a_client_with_another_open_case_keeps_their_account(case: Case, alice: User, org_a: Organization) -> None:
    from madoguchi.cases.tests.conftest import make_case

    make_case(case.client, org_a, need="二件目")
    _closed_case(case, alice, timezone.now() - dt.timedelta(days=400))
    call_command("anonymise_cases", "--older-than", "365")
    client = Client.objects.get(pk=case.client_id)
    assert client.name == "山田太郎" and client.user is not None


def test_an_admin_anonymises_a_closed_case_from_the_admin(case: Case, alice: User, client: HttpClient) -> None:
    case.close(by=alice, outcome="deal")
    admin_user = User.objects.create_superuser("root", "root@example.jp", "correct horse 1")
    client.force_login(admin_user)
    response = client.post(reverse("admin:cases_case_changelist"),
                           {"action": "anonymise_selected", "_selected_action": [case.pk]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.anonymised_at is not None and case.outcome == "deal"
