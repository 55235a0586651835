"""Every page and download with personal data says `Cache-Control: private, no-store` (lib/nostore.py);
public pages for anonymous visitors stay cacheable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from madoguchi.cases.models import Activity, Case, Referral
from madoguchi.cases.notify import follow_token
from madoguchi.directory.models import Organization
from madoguchi.events.models import Event, Subscription
from madoguchi.platform.models import ApiToken


def _no_store(response: Any) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def _event(org: Organization) -> Event:
    start = timezone.now() + dt.timedelta(days=10)
    return Event.objects.create(organization=org, title="創業セミナー", capacity=5, status=Event.Status.PUBLISHED,
                                starts_at=start, ends_at=start + dt.timedelta(hours=2))


@pytest.fixture
def bob_token(bob: User) -> str:
    return ApiToken.objects.issue(user=bob, name="B の受付システム")[1]


# (what, who is signed in, how to get the response) — one row per kind of personal page.
Request = Callable[[HttpClient, dict[str, Any]], Any]
PERSONAL: list[tuple[str, str | None, Request]] = [
    ("case page", "alice", lambda c, w: c.get(reverse("cases:case", args=[w["case"].code]))),
    ("case export", "client", lambda c, w: c.get(reverse("cases:export", args=[w["case"].code]))),
    ("case document download", "alice",
     lambda c, w: c.get(reverse("cases:document", args=[w["case"].code, w["document"].uuid]))),
    ("case list", "alice", lambda c, w: c.get(reverse("cases:list"))),
    ("inbox", "cora", lambda c, w: c.get(reverse("cases:inbox"))),
    ("client status page (by its emailed link)", None,
     lambda c, w: c.get(reverse("cases:follow", args=[follow_token(w["case"])]))),
    ("report page", "cora", lambda c, w: c.get(reverse("reports:overview"))),
    ("report download", "cora", lambda c, w: c.get(reverse("reports:overview_download", args=["csv"]))),
    ("coverage download", "cora", lambda c, w: c.get(reverse("reports:coverage_download", args=["xlsx"]))),
    ("API case (institution token, no session)", None,
     lambda c, w: c.get(f"/api/cases/{w['case'].code}", HTTP_AUTHORIZATION=f"Bearer {w['token']}")),
    ("API case list (institution token)", None,
     lambda c, w: c.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {w['token']}")),
    ("registration page (by its emailed link)", None, lambda c, w: c.get(w["registration"].get_absolute_url())),
    ("roll call download (admin)", "admin", lambda c, w: c.post(
        "/admin/events/event/", {"action": "download_registrations", "_selected_action": [w["event"].pk]})),
    ("subscription page (by its emailed link)", None, lambda c, w: c.get(w["subscription"].get_absolute_url())),
    ("login page", None, lambda c, w: c.get(reverse("login"))),
    ("password reset page", None, lambda c, w: c.get(reverse("password_reset"))),
    ("a public page seen by signed-in staff", "alice", lambda c, w: c.get(reverse("directory:programs"))),
]


@pytest.fixture
def world(referral: Referral, alice: User, bob: User, cora: User, org_a: Organization, bob_token: str) -> dict[str, Any]:
    event = _event(org_a)
    registration = event.register(name="山田太郎", email="taro@example.jp").registration
    subscription = Subscription.objects.create(email="taro@example.jp")
    admin = User.objects.create_superuser("admin", "admin@example.jp", "pw-for-tests-only")
    case: Case = referral.case
    document = case.add_activity(Activity.Kind.DOCUMENT, by=alice,
                                 attachment=SimpleUploadedFile("履歴事項.pdf", b"%PDF secret"))
    users = {"alice": alice, "bob": bob, "cora": cora, "admin": admin, "client": case.client.user}
    return {"case": case, "document": document, "token": bob_token, "event": event, "registration": registration,
            "subscription": subscription, "users": users}


@pytest.mark.parametrize(("what", "who", "fetch"), PERSONAL, ids=[row[0] for row in PERSONAL])
def test_personal_pages_are_private_and_not_stored(what: str, who: str | None, fetch: Request,
                                                   world: dict[str, Any]) -> None:
    client = HttpClient()
    if who:
        client.force_login(world["users"][who])
    response = fetch(client, world)
    assert response.status_code == 200, what
    assert _no_store(response), f"{what}: Cache-Control is {response.get('Cache-Control')!r}"


@pytest.mark.parametrize("url", ["/programs/", "/events/", "/organizations/"])
def test_public_pages_for_anonymous_visitors_stay_cacheable(url: str, db: None) -> None:
    response = HttpClient().get(url)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_an_anonymous_visitor_sent_to_login_from_a_case_is_not_stored_either(case: Case, client: HttpClient) -> None:
    response = client.get(reverse("cases:case", args=[case.code]))
    assert response.status_code == 302
    assert _no_store(response)
