"""The registry's public pages in a real browser: accessible (axe-core), usable at 375 px,
and the institutions filter working both through htmx and without JavaScript.

Uses the browser harness of madoguchi/ui/tests (Debian Chromium; skipped with a reason when missing).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("organizations", "/organizations/"),
    ("organizations-filtered", "/organizations/?function=tech_transfer&municipality=04100"),
    ("organization-renamed-offices", "/organizations/miyagi-intellectual-property-center/"),
    ("organization-curated-profile", "/organizations/miyagi-fisheries-processing-institute/"),
    ("programs", "/programs/"),
    ("function-matrix", "/functions/"),
    ("facilities", "/facilities/"),
    ("area", "/areas/sendai-hokubu/"),
    ("bad-filter", "/organizations/?function=nope"),
    ("not-found", "/organizations/no-such-body/"),
]


def test_registry_pages_pass_the_page_checks(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    for name, path in PAGES:
        page.goto(live_server.url + path)
        assert page.get_by_role("heading", level=1).count() == 1, name
        check_page(page, journey, name)


def test_filtering_with_htmx_swaps_the_results_and_updates_the_address(
    live_server: Any, live_plan: None, page: Any, journey: Journey
) -> None:
    page.goto(live_server.url + "/organizations/")
    page.evaluate("() => { window.__sameDocument = true; }")
    total = page.locator(".result-count").inner_text()
    page.get_by_label("支援機能").select_option("finance")
    page.wait_for_url(re.compile(r"function=finance"))
    page.locator(".result-count").filter(has_not_text=total).wait_for()
    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded instead of swapping results"
    assert page.locator("#organization-results").get_by_role("link", name="宮城県信用保証協会").count() == 1
    check_page(page, journey, "filtered-by-htmx")


def test_filtering_works_without_javascript(live_server: Any, live_plan: None, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False, locale="ja-JP")
    try:
        tab = context.new_page()
        tab.goto(live_server.url + "/organizations/")
        tab.get_by_label("支援機能").select_option("finance")
        tab.get_by_role("button", name="絞り込む").click()
        tab.wait_for_url(re.compile(r"function=finance"))
        assert tab.get_by_role("link", name="宮城県信用保証協会").count() == 1
        assert tab.get_by_role("link", name="宮城県産業技術総合センター").count() == 0
    finally:
        context.close()
