"""The page checks catch what they claim to: each is shown a page broken in one way.

Without these, a check that silently stopped working (axe not injected, a selector that
matches nothing) would let every journey pass.
"""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.ui.tests.browser import MOBILE, Journey, axe_violations, check_page, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _break(page: Any, html: str) -> None:
    # Through the DOM API: the page's CSP forbids inline scripts, not changes made by the driver.
    page.evaluate("(html) => document.querySelector('main').insertAdjacentHTML('beforeend', html)", html)


def test_axe_reports_an_unlabelled_control_and_an_image_without_alt(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    assert axe_violations(page) == []
    _break(page, '<img src="data:," width="10" height="10"><input type="text" name="x">')
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= found, found


def test_axe_reports_text_below_4_5_to_1_contrast(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = '薄い文字';
                             p.style.color = '#aaaaaa'; document.querySelector('main').append(p); }""")
    assert "color-contrast" in {v["id"] for v in axe_violations(page)}


def test_page_check_fails_on_sideways_scrolling_at_375_px(live_server: Any, page: Any, journey: Journey) -> None:
    page.goto(live_server.url + "/")
    page.evaluate("""() => { const d = document.createElement('div'); d.style.width = '600px'; d.style.height = '1px';
                             document.querySelector('main').append(d); }""")
    with pytest.raises(AssertionError, match="scrolls sideways at 375 px"):
        check_page(page, journey, "too-wide")


def test_page_check_fails_on_a_small_tap_target(live_server: Any, page: Any, journey: Journey) -> None:
    page.set_viewport_size(MOBILE)
    page.goto(live_server.url + "/")
    page.evaluate("""() => { const b = document.querySelector('.language-switch button');
                             b.style.minHeight = '0'; b.style.padding = '0'; b.style.fontSize = '10px'; }""")
    with pytest.raises(AssertionError, match="tap targets under 44 px"):
        check_page(page, journey, "small-target")


def test_keyboard_check_fails_when_focus_is_invisible(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    # Inline styles through the CSSOM (a <style> element would be refused by the CSP).
    page.evaluate("""() => document.querySelectorAll('a, button, input').forEach(el => {
                             el.style.setProperty('outline', 'none', 'important');
                             el.style.setProperty('box-shadow', 'none', 'important'); })""")
    with pytest.raises(AssertionError, match="focus is not visible"):
        tab_to(page, "form.language-switch button")
