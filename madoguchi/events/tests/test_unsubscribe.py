"""RFC 8058 one-click unsubscribe from the digest: a signed link, a POST without session or CSRF token.

The mail goes out through the worker's path to a real SMTP server (aiosmtpd), and the link is read
from the headers the recipient's mail client sees.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from madoguchi.cases.tests.conftest import smtp_server  # noqa: F401  (the aiosmtpd fixture)
from madoguchi.directory.models import Organization
from madoguchi.events.models import Event, Subscription
from madoguchi.events.subscriptions import send_digests
from madoguchi.platform.mail import send_all
from madoguchi.platform.models import OutboundEmail

TOKYO = ZoneInfo("Asia/Tokyo")
SITE = "https://madoguchi.example.jp"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def subscription(db: None) -> Subscription:
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO), tick=False):
        return Subscription.objects.create(email="taro@example.jp", confirmed_at=dt.datetime(2026, 5, 1, tzinfo=TOKYO))


def _publish(title: str, when: dt.datetime) -> Event:
    org, _ = Organization.objects.get_or_create(slug="miyagi-ssc", defaults={
        "name": "(財)みやぎ産業振興機構", "kind": Organization.Kind.CORE})
    return Event.objects.create(organization=org, title=title, status=Event.Status.PUBLISHED, published_at=when,
                                starts_at=when + dt.timedelta(days=30), ends_at=when + dt.timedelta(days=30, hours=2))


def _digest(day: int) -> int:
    when = dt.datetime(2026, 5, day, 9, 0, tzinfo=TOKYO)
    with time_machine.travel(when, tick=False):
        _publish(f"セミナー {day}", when - dt.timedelta(hours=1))
        return send_digests()


def _path(header: str) -> str:
    match = re.fullmatch(rf"<{re.escape(SITE)}(/unsubscribe/[^>]+/)>", str(header).strip())  # may be folded
    assert match, header
    return match.group(1)


def test_the_digest_reaches_the_mailbox_with_rfc_8058_headers(subscription: Subscription, smtp_server: Any) -> None:  # noqa: F811  the imported fixture, as pytest passes it
    assert _digest(2) == 1
    send_all()

    (message,) = smtp_server.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _path(message["List-Unsubscribe"])
    body = message.get_content()
    assert f"{SITE}{path}" in body  # the same link in the body, for readers
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 3 and all(link.startswith(SITE + "/") for link in links)  # event, manage page, stop


def test_a_mail_clients_one_click_post_unsubscribes_without_session_or_csrf(subscription: Subscription) -> None:
    _digest(2)
    path = _path(OutboundEmail.objects.get().headers["List-Unsubscribe"])

    response = Client(enforce_csrf_checks=True).post(path, ONE_CLICK)

    assert response.status_code == 200
    assert "配信を停止しました" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert _digest(3) == 0  # no further digest
    again = Client(enforce_csrf_checks=True).post(path, ONE_CLICK)
    assert again.status_code == 200 and "すでに停止されています" in again.content.decode()


def test_opening_the_link_only_asks_with_a_button(subscription: Subscription) -> None:
    _digest(2)
    path = _path(OutboundEmail.objects.get().headers["List-Unsubscribe"])

    page = Client().get(path)  # what a mail scanner or a reader's browser does

    assert page.status_code == 200
    html = page.content.decode()
    assert "taro@example.jp" in html and 'method="post"' in html and "配信を停止する" in html
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200  # the button: a form POST, no token
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature altered
    lambda token: "ImV2ZW50cy5zdWJzY3JpcHRpb24i:unsigned",  # made up
])
def test_a_tampered_or_unsigned_link_is_refused_and_changes_nothing(subscription: Subscription, tamper: Any) -> None:
    _digest(2)
    token = _path(OutboundEmail.objects.get().headers["List-Unsubscribe"]).split("/")[2]

    response = Client(enforce_csrf_checks=True).post(f"/unsubscribe/{tamper(token)}/", ONE_CLICK)

    assert response.status_code == 400
    assert "この配信停止のリンクは正しくありません" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None


def test_a_link_for_another_subscription_cannot_be_made_from_its_uuid(subscription: Subscription) -> None:
    response = Client(enforce_csrf_checks=True).post(f"/unsubscribe/{subscription.uuid}/", ONE_CLICK)
    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None


def test_the_subscription_pages_own_stop_button_still_needs_csrf(subscription: Subscription) -> None:
    response = Client(enforce_csrf_checks=True).post(f"/events/subscriptions/{subscription.uuid}/unsubscribe/")
    assert response.status_code == 403
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None


def _views(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _views(pattern, route)
        elif isinstance(pattern, URLPattern):
            found.append((route, pattern.callback))
    return found


def test_the_unsubscribe_view_is_the_only_csrf_exempt_page() -> None:
    # The API (django-ninja) does its own CSRF check for session callers; it is not a page.
    exempt = [route for route, view in _views(get_resolver())
              if getattr(view, "csrf_exempt", False) and not route.startswith("api/")]
    assert exempt == ["unsubscribe/<str:token>/"]
