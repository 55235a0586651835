"""Journey: on a phone, a person asks a question, reads a result card and presses 「相談する」,
landing on the intake form with the institution and the question filled in. Plus the new
pages (saved results, roadmap end, error page) under axe at 375 and 1280 px, and the English
pages read for Japanese left in the chrome as a browser renders them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import (
    DESKTOP,
    MOBILE,
    SCREENSHOT_DIR,
    Journey,
    axe_violations,
    check_page,
    format_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "資金繰りに困っている"
FIRST_SCREEN = 600  # px at 375 px wide: the search box and the first result must start above it


def _axe_at_both_sizes(page: Any, name: str) -> None:
    for size in (MOBILE, DESKTOP):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert not violations, f"axe-core on {name} at {size['width']} px:\n{format_violations(violations)}"


def test_a_phone_user_goes_from_question_to_consult(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    page.set_viewport_size(MOBILE)
    page.goto(live_server.url + "/search/?q=" + QUESTION)
    page.wait_for_load_state("load")
    # The menu is folded: its links are not shown until 「メニュー」 is opened.
    assert page.locator(".site-menu > summary").is_visible()
    assert not page.get_by_role("link", name="支援機関", exact=True).is_visible()
    box = page.locator("#search-q").bounding_box()
    first = page.locator("li.search-hit").first
    card = first.bounding_box()
    assert box is not None and card is not None
    assert box["y"] + box["height"] <= FIRST_SCREEN, f"search box ends at {box['y'] + box['height']:.0f} px"
    assert card["y"] < FIRST_SCREEN, f"first result starts at {card['y']:.0f} px (more than {FIRST_SCREEN})"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "phone-first-screen-375.png"))  # what the first screen shows
    print(f"first screen at 375 px: search box ends at {box['y'] + box['height']:.0f} px, first result starts at {card['y']:.0f} px")
    # A card to act on: reasons in plain words (no engine phrasing), contact, actions.
    reasons = first.locator(".reasons li").all_inner_texts()
    assert 1 <= len(reasons) <= 3 and not any("一致" in r or " / " in r for r in reasons), reasons
    assert any("→" in r for r in page.locator("li.search-hit .reasons li").all_inner_texts())
    _axe_at_both_sizes(page, "results")
    check_page(page, journey, "results-phone")
    # On a wide screen the menu is open without a toggle.
    page.set_viewport_size(DESKTOP)
    assert not page.locator(".site-menu > summary").is_visible()
    assert page.get_by_role("link", name="支援機関", exact=True).is_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "desktop-first-screen-1280.png"))
    page.set_viewport_size(MOBILE)

    page.locator(".site-menu > summary").click()
    assert page.get_by_role("link", name="支援機関", exact=True).is_visible()

    consult = first.get_by_role("link", name=re.compile("^相談する"))
    consult.click()
    page.wait_for_url(re.compile(r"/cases/new/\?"))
    assert QUESTION in page.locator("textarea[name=need]").input_value()
    assert page.locator("input[name=consent][value=named]").is_checked()
    assert len(page.locator("select[name=named_organizations] option:checked").all()) == 1
    # The filter box the script adds narrows the list of institutions.
    filter_box = page.locator("#id_named_organizations-filter")
    filter_box.fill("信用保証")
    visible = page.locator("select[name=named_organizations] option:not([hidden])").count()
    assert 1 <= visible < page.locator("select[name=named_organizations] option").count()
    _axe_at_both_sizes(page, "intake")
    check_page(page, journey, "intake-prefilled")


def test_saving_results_and_the_new_pages_pass_axe_at_both_sizes(
    live_server: Any, live_plan: None, page: Any, journey: Journey,
) -> None:
    page.goto(live_server.url + "/search/?q=" + QUESTION)
    first = page.locator("li.search-hit").first
    name = first.locator("h2 a").inner_text().strip()
    first.get_by_role("button", name=re.compile("^保存")).click()
    page.wait_for_load_state("load")
    assert page.locator("li.search-hit").first.get_by_role("button", name=re.compile("^保存を取り消す")).is_visible()
    page.goto(live_server.url + "/search/saved/")
    assert name in page.locator("ol.result-list").inner_text()
    _axe_at_both_sizes(page, "saved")
    check_page(page, journey, "saved")

    page.goto(live_server.url + "/search/diagnosis/?stage=startup&need=finance&step=roadmap")
    assert page.get_by_role("link", name="このロードマップで相談する").is_visible()
    assert page.get_by_role("button", name="印刷する").is_visible()  # shown by the script
    _axe_at_both_sizes(page, "roadmap")
    check_page(page, journey, "roadmap")

    page.goto(live_server.url + "/no-such-page/")
    assert page.get_by_role("heading", level=1).inner_text() == "ページが見つかりません"
    _axe_at_both_sizes(page, "404")
    check_page(page, journey, "404")

    # 403: a signed-in account without the right (a plain user at the moderation queue).
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.create_user("plain-user", password="pw-for-tests-1"))
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    response = page.goto(live_server.url + "/matching/moderation/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "このページを表示する権限がありません"
    _axe_at_both_sizes(page, "403")


_JAPANESE_CHROME = """
() => { const re = /[\\u3040-\\u30ff\\u3400-\\u9fff]/;
  const skip = el => el.closest('[lang]:not([lang^="en"])');
  // Data inside the chrome (an institution's name in a button's label) is marked lang="ja".
  const text = el => { const c = el.cloneNode(true);
    c.querySelectorAll('[lang]:not([lang^="en"])').forEach(n => n.remove()); return c.textContent.trim(); };
  return Array.from(document.querySelectorAll(
      ".site-header a, .site-header button, .site-header summary, label, button, legend, summary, .badge, .status, .card-actions a, .site-footer"))
    .filter(el => el.getClientRects().length > 0 && !skip(el))
    .map(text).filter(t => re.test(t)).slice(0, 10); }
"""


def test_english_pages_show_no_japanese_chrome_in_the_browser(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    for path in ("/", "/search/?q=" + QUESTION, "/search/diagnosis/?stage=startup&step=need",
                 "/search/diagnosis/?stage=startup&need=finance&step=roadmap", "/search/saved/", "/cases/new/", "/no-such-page/"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        found = page.evaluate(_JAPANESE_CHROME)
        assert not found, f"Japanese in the English chrome of {path}: {found}"
    check_page(page, journey, "roadmap-en")
