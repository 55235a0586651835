"""Journeys of the people who run the platform, without the admin:

- an institution's staff member updates their own program from /staff/ (and another
  institution's program is not found);
- the coordinator triages a new consultation and moderates a listing, both reached from the
  header menu.

axe and the 375/1280 px checks run on every page reached (browser.check_page).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kuri-koma-2005-madoguchi"


def _org(slug: str, name: str, kind: str) -> Any:
    from madoguchi.directory.models import Organization

    return Organization.objects.create(slug=slug, name=name, kind=kind)


def _user(username: str, org: Any, role: str) -> Any:
    from django.contrib.auth.models import User

    from madoguchi.directory.models import Membership

    user = User.objects.create_user(username, f"{username}@example.jp", PASSWORD)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def _log_in(page: Any, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_staff_update_their_own_program_and_not_anothers(live_server: Any, page: Any, journey: Journey) -> None:
    from madoguchi.directory.models import Program

    own = _org("sendai-sangyo", "仙台市産業振興事業団", "support")
    other = _org("tohoku-bureau", "東北経済産業局", "support")
    program = Program.objects.create(organization=own, slug="sogyo-yushi", name="創業融資あっせん",
                                     category="finance", description="創業期の融資をあっせんします。")
    theirs = Program.objects.create(organization=other, slug="kaigai-tenkai", name="海外展開支援")
    _user("sangyo-staff", own, "staff")
    base = live_server.url

    _log_in(page, base, "sangyo-staff", "/staff/")
    main = page.locator("main")
    assert "創業融資あっせん" in main.inner_text() and "海外展開支援" not in main.inner_text()
    check_page(page, journey, "workspace")

    page.get_by_role("link", name=re.compile(r"^編集\s*:\s*創業融資あっせん$")).click()
    page.wait_for_url(re.compile(r"/staff/programs/sogyo-yushi/edit/$"))
    check_page(page, journey, "program-form")
    page.get_by_label("名称").fill("創業融資あっせん（令和8年度）")
    page.get_by_label("受付締切").fill("2027-03-31")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert "支援事業を更新しました。" in page.locator("main").inner_text()
    program.refresh_from_db()
    assert program.name == "創業融資あっせん（令和8年度）" and str(program.application_closes) == "2027-03-31"

    # A bad date pair is explained on the form, next to nothing saved.
    page.goto(f"{base}/staff/programs/sogyo-yushi/edit/")
    page.get_by_label("受付開始").fill("2027-04-01")
    page.get_by_role("button", name="保存する").click()
    assert "受付締切は受付開始より後の日付にしてください。" in page.locator("main").inner_text()
    check_page(page, journey, "program-form-error")

    # The other forms of the workspace pass the same page checks.
    page.goto(f"{base}/staff/events/new/")
    check_page(page, journey, "event-form")
    page.get_by_label("名称").fill("創業塾")
    page.get_by_label("開始日時").fill("2027-02-01T13:00")
    page.get_by_label("終了日時").fill("2027-02-01T15:00")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert "創業塾" in page.locator("main").inner_text()
    page.goto(f"{base}/staff/facilities/new/")
    check_page(page, journey, "facility-form")

    # Another institution's program: not found, and unchanged.
    response = page.goto(f"{base}/staff/programs/{theirs.slug}/edit/")
    assert response is not None and response.status == 404
    theirs.refresh_from_db()
    assert theirs.name == "海外展開支援"


def test_the_coordinator_triages_and_moderates_from_the_header(live_server: Any, page: Any, journey: Journey) -> None:
    from madoguchi.cases.models import Activity, Case, Client, Referral
    from madoguchi.matching.models import Listing

    core = _org("miyagi-industrial-promotion-organization", "(財)みやぎ産業振興機構", "core")
    target = _org("sendai-sangyo", "仙台市産業振興事業団", "support")
    _user("cora", core, "coordinator")
    client = Client.objects.create(kind=Client.Kind.COMPANY, name="つくも工房", email="info@tsukumo.example.jp",
                                   phone="022-000-1234")
    case = Case.objects.create(client=client, owner=core, need="新商品の販路を広げたい", consent=Case.Consent.PLATFORM)
    case.add_activity(Activity.Kind.CREATED, by=None, organization=core, text="受付")
    listing = Listing.objects.create(kind=Listing.Kind.SEED, title="低温乾燥の技術", owner_organization=target,
                                     description="色と香りを保つ乾燥技術")
    base = live_server.url

    _log_in(page, base, "cora", "/staff/")
    nav = page.get_by_role("navigation", name="メインメニュー")
    nav.get_by_role("link", name="振り分け").click()
    page.wait_for_url(re.compile(r"/cases/inbox/$"))
    check_page(page, journey, "triage-inbox")
    page.get_by_role("link", name=case.short_code).click()
    page.wait_for_url(re.compile(re.escape(str(case.code))))
    main = page.locator("main")
    assert "info@tsukumo.example.jp" in main.inner_text() and "022-000-1234" in main.inner_text()
    check_page(page, journey, "case")
    page.locator("#refer-form select[name=to_org]").select_option(target.slug)
    page.locator("#refer-form textarea[name=message]").fill("販路開拓の相談に乗ってください。")
    page.locator("#refer-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "紹介を送りました。" in page.locator("main").inner_text()
    assert Referral.objects.filter(case=case, to_org=target, status=Referral.Status.SENT).exists()

    nav = page.get_by_role("navigation", name="メインメニュー")
    nav.get_by_role("link", name="掲載の審査").click()
    page.wait_for_url(re.compile(r"/matching/moderation/$"))
    assert "低温乾燥の技術" in page.locator("main").inner_text()
    check_page(page, journey, "moderation")
    page.get_by_role("button", name="公開する").click()
    page.wait_for_url(re.compile(r"/matching/moderation/$"))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
