"""The coordinator sees institutions and programs the one-stop search suggests for a case."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case
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

    assert f"?refer_to={org_b.slug}#refer-form" in html
    preselected = client.get(reverse("cases:case", args=[case.code]) + f"?refer_to={org_b.slug}").content.decode()
    assert f'<option value="{org_b.slug}" selected>' in preselected

    client.force_login(alice)  # staff who are not coordinators do not triage
    assert "おすすめの支援機関・制度" not in client.get(reverse("cases:case", args=[case.code])).content.decode()
