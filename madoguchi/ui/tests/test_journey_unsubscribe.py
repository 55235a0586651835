"""Journey: a subscriber opens the digest's unsubscribe link on a phone and stops the emails."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.ui.tests.browser import MOBILE, Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stopping_the_digest_from_the_link_in_the_mail(live_server: Any, page: Any, journey: Journey) -> None:
    from django.urls import reverse
    from django.utils import timezone

    from madoguchi.events.models import Subscription
    from madoguchi.events.subscriptions import UNSUBSCRIBE_KIND
    from madoguchi.lib.unsubscribe import token

    subscription = Subscription.objects.create(email="taro@example.jp", confirmed_at=timezone.now())
    page.set_viewport_size(MOBILE)

    page.goto(live_server.url + reverse("unsubscribe", args=[token(UNSUBSCRIBE_KIND, str(subscription.uuid))]))
    assert "taro@example.jp" in page.locator("main").inner_text()
    check_page(page, journey, "unsubscribe-confirm")
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None  # opening the link changed nothing

    page.get_by_role("button", name="配信を停止する").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "配信を停止しました"
    check_page(page, journey, "unsubscribe-done")
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None

    page.goto(live_server.url + "/unsubscribe/not-a-signed-link/")
    assert page.get_by_role("heading", level=1).inner_text() == "リンクが無効です"
