"""The prefecture's officer, at the prefecture's own body (宮城県 経済商工観光部): aggregates only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case, Client
from madoguchi.directory.models import Membership, Organization


@pytest.fixture
def officer(plan: object) -> User:
    prefecture = Organization.objects.get(slug="miyagi-prefecture-economy")
    user = User.objects.create_user("pref-officer", password="x")
    Membership.objects.create(user=user, organization=prefecture, role=Membership.Role.PREFECTURE)
    return user


@pytest.fixture
def a_case(plan: object) -> Case:
    core = Organization.objects.get(kind="core")
    client = Client.objects.create(kind=Client.Kind.PERSON, name="山田太郎", email="yamada@example.jp")
    # Shared with the whole platform: still nothing the prefecture's officer may read.
    return Case.objects.create(client=client, owner=core, need="販路を広げたい", consent=Case.Consent.PLATFORM)


def test_the_prefectures_officer_reads_the_reports(officer: User, a_case: Case, client: HttpClient) -> None:
    client.force_login(officer)
    assert client.get(reverse("reports:overview")).status_code == 200
    assert client.get(reverse("reports:coverage")).status_code == 200
    assert f'href="{reverse("reports:overview")}"' in client.get(reverse("directory:home")).content.decode()


def test_the_prefectures_officer_reads_no_case(officer: User, a_case: Case, client: HttpClient) -> None:
    client.force_login(officer)
    assert client.get(reverse("cases:case", args=[a_case.code])).status_code == 404
    assert "山田太郎" not in client.get(reverse("cases:list")).content.decode()
    assert client.get(reverse("cases:inbox")).status_code == 403
    assert client.get(reverse("staff:home")).status_code == 403
    assert client.get(f"/api/cases/{a_case.code}").status_code in (401, 403, 404)
