"""Journey: a company applies for a consultation from an institution's page; the coordinator
refers it; the institution's staff member accepts; the company sees the status from its email link.

Three people, three browser contexts (separate cookies), one live server.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = "miyagi-industrial-technology-institute"  # 宮城県産業技術総合センター (表2)
PASSWORD = "kuri-koma-2005-madoguchi"
CLIENT_EMAIL = "info@tsukumo-kobo.example.jp"


def _staff(username: str, org_slug: str, role: str) -> None:
    from django.contrib.auth.models import User

    from madoguchi.directory.models import Membership, Organization

    user = User.objects.create_user(username, f"{username}@example.jp", PASSWORD)
    Membership.objects.create(user=user, organization=Organization.objects.get(slug=org_slug), role=role)


def _log_in(page: Any, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def _follow_link() -> str:
    from madoguchi.platform.models import OutboundEmail

    mail = OutboundEmail.objects.filter(to=CLIENT_EMAIL).latest("pk")
    match = re.search(r"https?://\S+/cases/follow/\S+/", mail.body)
    assert match, mail.body
    return match.group(0)


def test_consultation_is_referred_accepted_and_the_client_sees_it(
    live_server: Any, live_plan: None, chromium: Any, page: Any, journey: Journey, settings: Any
) -> None:
    from madoguchi.directory.models import Organization

    settings.SITE_URL = live_server.url  # links in the emails point at this server
    _staff("coordinator", "miyagi-industrial-promotion-organization", "coordinator")
    _staff("itc-staff", TARGET, "staff")
    target = Organization.objects.get(slug=TARGET)
    base = live_server.url

    # 1. The company, on the institution's page, applies for a consultation.
    page.goto(f"{base}{target.get_absolute_url()}")
    check_page(page, journey, "institution")
    page.get_by_role("link", name="この機関への相談を申し込む").click()
    page.wait_for_url(re.compile(r"/cases/new/"))
    check_page(page, journey, "intake")
    form = page.locator("main form")
    form.get_by_label("法人", exact=True).check()
    form.get_by_label("法人名・氏名").fill("株式会社つくも工房")
    form.get_by_label("メールアドレス").fill(CLIENT_EMAIL)
    form.get_by_label("所在地（市区町村）").select_option(label="仙台市")
    form.get_by_label("ご相談の内容").fill("金属部品の表面処理を改良したい。試験設備を使わせてほしい。")
    form.get_by_label("コーディネーターが紹介するプラットフォームの機関に共有する").check()
    page.get_by_role("button", name="相談を申し込む").click()
    page.wait_for_url(re.compile(r"/cases/new/received/$"))
    assert "受付番号" in page.locator("main").inner_text()
    check_page(page, journey, "received")

    # 2. The coordinator at the core institution refers it to the institution.
    coordinator_ctx = chromium.new_context(viewport=page.viewport_size, locale="ja-JP")
    coordinator = coordinator_ctx.new_page()
    journey.watch(coordinator)
    _log_in(coordinator, base, "coordinator", "/cases/inbox/")
    check_page(coordinator, journey, "coordinator-inbox")
    coordinator.locator("ul.inbox a").first.click()
    coordinator.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    check_page(coordinator, journey, "coordinator-case")
    coordinator.locator("main").get_by_label("紹介先の機関").select_option(value=TARGET)
    coordinator.locator("main").get_by_label("紹介の内容・依頼事項").fill("表面処理の試験設備の利用についてご相談です。")
    coordinator.get_by_role("button", name="紹介する", exact=True).click()  # the form, not a suggestion's button
    coordinator.wait_for_load_state("load")
    assert "送付済み（回答待ち）" in coordinator.locator("main").inner_text()
    coordinator_ctx.close()

    # 3. The institution's staff member accepts the referral.
    staff_ctx = chromium.new_context(viewport=page.viewport_size, locale="ja-JP")
    staff = staff_ctx.new_page()
    journey.watch(staff)
    _log_in(staff, base, "itc-staff", "/cases/")
    check_page(staff, journey, "staff-case-list")
    staff.locator("main a[href*='/cases/']").first.click()
    staff.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    staff.get_by_role("button", name="受諾する").click()
    staff.wait_for_load_state("load")
    assert re.search(r"→ .*: 受諾", staff.locator("ul.referrals").inner_text())
    check_page(staff, journey, "staff-case-accepted")
    staff_ctx.close()

    # 4. The company opens the link in its confirmation email and sees the referral accepted.
    page.goto(_follow_link())
    status = page.locator("main").inner_text()
    assert f"{target.display_name}: 受諾" in status, status
    check_page(page, journey, "client-status")
