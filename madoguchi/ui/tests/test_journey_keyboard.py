"""Journey by keyboard alone: search from the header, open an institution, apply for a consultation.

No mouse, no clicks: Tab / Shift+Tab to move, typing, Space for choices, arrows in a select,
Enter to follow and submit. Every element the focus lands on must show where the focus is.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "大学の技術を使って新製品を開発したい"


def _focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.name || document.activeElement.id || document.activeElement.tagName"))


def test_search_and_intake_by_keyboard_alone(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    page.goto(live_server.url + "/organizations/")

    # The header's one-stop search.
    tab_to(page, "#site-search-q")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    check_page(page, journey, "results")

    # Results: reach the first institution and open it.
    tab_to(page, "li.search-hit a[href*='/organizations/']")
    name = page.evaluate("() => document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/organizations/[^/]+/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == name
    check_page(page, journey, "institution")

    # Apply for a consultation with it.
    tab_to(page, "main a[href*='/cases/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/new/"))
    check_page(page, journey, "intake")

    tab_to(page, "input[name=kind]")
    page.keyboard.press("Space")
    tab_to(page, "#id_name")
    page.keyboard.type("株式会社つくも工房")
    tab_to(page, "#id_email")
    page.keyboard.type("info@tsukumo-kobo.example.jp")
    tab_to(page, "#id_municipality")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.value") != "", "arrow keys must choose a municipality"
    tab_to(page, "#id_need")
    page.keyboard.type("試作品の評価試験について相談したい。")
    tab_to(page, "input[name=consent]")
    page.keyboard.press("Space")
    # Past the list of institutions one may share with (one checkbox each) to the submit button.
    tab_to(page, "main form button[type=submit]", limit=250)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/cases/new/received/$"))
    assert "受付番号" in page.locator("main").inner_text()
    check_page(page, journey, "received")


def test_a_form_error_is_announced_and_reachable_by_keyboard(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    page.goto(live_server.url + "/cases/new/")
    tab_to(page, "main form button[type=submit]", limit=250)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The errors are in a live region (role=alert), and each field says it is invalid.
    alert = page.locator("main [role=alert]")
    assert alert.count() >= 1 and alert.first.is_visible()
    assert page.locator("main [aria-invalid=true]").count() >= 1
    # The focus starts on the error summary, so it is read first; its links lead to the fields.
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    check_page(page, journey, "intake-errors")
    tab_to(page, "[aria-invalid=true]")
    assert _focused(page) in {"name", "need", "consent", "kind", "municipality", "email"}
