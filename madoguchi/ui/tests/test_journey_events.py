"""Journey: a founder finds a seminar in the event list and registers for it (on a phone)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.ui.tests.browser import MOBILE, Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _seminar() -> Any:
    from madoguchi.directory.models import Organization
    from madoguchi.events.models import Event

    start = timezone.localtime().replace(hour=13, minute=30, second=0, microsecond=0) + dt.timedelta(days=14)
    return Event.objects.create(
        organization=Organization.objects.get(kind="core"),
        title="創業準備セミナー　事業計画書の書き方",
        kind=Event.Kind.SEMINAR,
        description="創業を考えている方向けに、事業計画書の書き方を解説します。",
        starts_at=start, ends_at=start + dt.timedelta(hours=2),
        venue="AER 5階 セミナールーム", capacity=30, fee="無料",
        status=Event.Status.PUBLISHED,
    )


def test_registering_for_an_event_on_a_phone(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    event = _seminar()
    page.set_viewport_size(MOBILE)
    page.goto(live_server.url + "/events/")
    # The menu says where you are in words a screen reader announces, not by colour alone.
    # On a phone the menu is folded behind 「メニュー」: the mark is there, read once it is opened.
    page.locator(".site-menu > summary").click()
    assert page.get_by_role("navigation", name="メインメニュー").locator("[aria-current=page]").inner_text() == "イベント"
    check_page(page, journey, "event-list")

    page.get_by_role("link", name=event.title).click()
    page.wait_for_url(re.compile(re.escape(event.get_absolute_url()) + "$"))
    check_page(page, journey, "event-detail")

    # Submitting without consent: the error is announced (role=alert) and linked to the field.
    page.get_by_label("氏名").fill("宮城 太郎")
    page.get_by_label("メールアドレス").fill("taro@example.jp")
    page.get_by_role("button", name="申し込む").click()
    summary = page.locator(".errorlist-summary[role=alert]")
    assert summary.is_visible()
    assert "同意が必要です" in summary.inner_text()
    assert page.locator("input[name=consent]").get_attribute("aria-invalid") == "true"
    check_page(page, journey, "event-form-error")

    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(re.compile(r"/events/registrations/[0-9a-f-]+/$"))
    assert "参加が確定しています" in page.locator("main").inner_text()
    check_page(page, journey, "registration")
