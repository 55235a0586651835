"""Journey: a visitor switches the site to English and stays on the page they were reading."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_to_english_keeps_the_page_and_translates_the_shell(
    live_server: Any, live_plan: None, page: Any, journey: Journey
) -> None:
    from madoguchi.directory.models import Organization

    org = Organization.objects.get(kind="core")
    page.goto(live_server.url + org.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "ja"
    check_page(page, journey, "institution-ja")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")

    # Same page, now in English: the shell and labels are English, the plan's data stays Japanese.
    assert page.url == live_server.url + org.get_absolute_url()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    assert page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Support programs").is_visible()
    assert page.get_by_role("button", name="日本語").is_visible()
    check_page(page, journey, "institution-en")

    # The choice is remembered across pages (cookie) …
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Support programs").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    check_page(page, journey, "programs-en")
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    check_page(page, journey, "home-en")

    # … and reversible.
    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "ja"


def test_language_switch_works_by_keyboard_alone(live_server: Any, page: Any, journey: Journey) -> None:
    page.goto(live_server.url + "/")
    tab_to(page, "form.language-switch button")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"


def test_skip_link_is_first_and_moves_focus_to_the_main_content(live_server: Any, page: Any, journey: Journey) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible(), "the skip link must become visible when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
