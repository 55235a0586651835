"""Every absolute link in mail is built from SITE_URL, never from the Host the request came with."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases import notify
from madoguchi.cases.models import Case
from madoguchi.directory.models import Organization
from madoguchi.platform.models import OutboundEmail

SITE = "https://madoguchi.example.jp"


def _links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_password_reset_link_uses_site_url_not_the_request_host(settings: Any, client: HttpClient, alice: User) -> None:
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["10.0.0.7"]  # the app server's own address, as a proxy might pass it on

    response = client.post(reverse("password_reset"), {"email": "alice@example.jp"}, HTTP_HOST="10.0.0.7")

    assert response.status_code == 302
    (link,) = _links(OutboundEmail.objects.get(to="alice@example.jp").body)
    assert link.startswith(f"{SITE}/accounts/reset/")
    assert client.get(link.removeprefix(SITE), follow=True, HTTP_HOST="10.0.0.7").status_code == 200


def test_case_mails_link_to_site_url(settings: Any, case: Case, alice: User, bob: User, cora: User,
                                     org_b: Organization) -> None:
    settings.SITE_URL = SITE
    case.refer(by=alice, to_org=org_b, message="融資の相談に乗ってください")
    notify.consultation_received(case)  # the client's follow link and the coordinator's case link
    bodies = list(OutboundEmail.objects.values_list("body", flat=True))
    links = [link for body in bodies for link in _links(body)]
    assert len(links) >= 3  # the referral to B, the client's follow link, the coordinator's new-case link
    assert [link for link in links if not link.startswith(SITE + "/")] == []
