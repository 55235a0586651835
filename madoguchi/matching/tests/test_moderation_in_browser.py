"""Journey: a company edits its published listing, which disappears from the public list until the
coordinator, who sees the edit marked with what changed, approves it again.

Uses the browser harness of madoguchi/ui/tests (Debian Chromium; skipped with a reason when missing).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page
from madoguchi.ui.tests.conftest import chromium, journey, page  # noqa: F401  fixtures, found by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kuri-koma-2005-madoguchi"
OLD_TITLE = "アルミ切削部品の量産（月500個）"
NEW_TITLE = "アルミ切削部品の量産（月800個、アルマイト込み）"


def _member(username: str, org: Any, role: str) -> None:
    from django.contrib.auth.models import User

    from madoguchi.directory.models import Membership

    user = User.objects.create_user(username, f"{username}@example.jp", PASSWORD)
    Membership.objects.create(user=user, organization=org, role=role)


def _log_in(tab: Any, base: str, username: str, next_path: str) -> None:
    tab.goto(f"{base}/accounts/login/?next={next_path}")
    tab.locator("input[name=username]").fill(username)
    tab.locator("input[name=password]").fill(PASSWORD)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_an_edited_listing_waits_for_the_coordinator_again(
    live_server: Any, chromium: Any, page: Any, journey: Journey  # noqa: F811  the imported fixtures, as pytest passes them
) -> None:
    from madoguchi.directory.models import Organization
    from madoguchi.matching.models import Listing

    core = Organization.objects.create(slug="miyagi-ii", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    maker = Organization.objects.create(slug="maker", name="株式会社みやぎ精機", kind=Organization.Kind.PARTNER)
    _member("coordinator", core, "coordinator")
    _member("maker-staff", maker, "staff")
    listing = Listing.objects.create(kind="order", title=OLD_TITLE, description="自動車用ブラケット。A5052のアルミ切削。",
                                     owner_organization=maker, status=Listing.Status.PUBLISHED)
    base = live_server.url

    # 1. The company's staff member changes the title of the published listing.
    _log_in(page, base, "maker-staff", listing.get_absolute_url())
    page.get_by_role("link", name="編集する").click()
    page.get_by_label("名称").fill(NEW_TITLE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(listing.get_absolute_url()) + "$"))
    assert "変更内容はコーディネーターの審査後に公開されます。" in page.locator("[role=status]").inner_text()
    check_page(page, journey, "edited")

    # 2. Nobody else sees it in the list meanwhile.
    visitor_ctx = chromium.new_context(locale="ja-JP")
    visitor = visitor_ctx.new_page()
    visitor.goto(f"{base}/matching/")
    assert "アルミ切削部品" not in visitor.locator("main").inner_text()

    # 3. The coordinator sees the edit marked, the approved title beside the new one, and approves it.
    coordinator_ctx = chromium.new_context(viewport=page.viewport_size, locale="ja-JP")
    coordinator = coordinator_ctx.new_page()
    journey.watch(coordinator)
    _log_in(coordinator, base, "coordinator", "/matching/moderation/")
    card = coordinator.locator("main li.card").filter(has_text=NEW_TITLE)
    assert "公開後の変更" in card.inner_text()
    changes = card.get_by_role("table", name="承認済みの内容からの変更")
    assert changes.get_by_role("row").filter(has_text="名称").filter(has_text=OLD_TITLE).count() == 1
    check_page(coordinator, journey, "queue-with-an-edit")
    card.get_by_role("button", name="公開する").click()
    coordinator.wait_for_url(re.compile(r"/matching/moderation/$"))

    visitor.goto(f"{base}/matching/")
    assert NEW_TITLE in visitor.locator("main").inner_text()
    visitor_ctx.close()
    coordinator_ctx.close()
