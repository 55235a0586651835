"""Tap targets are at least 44 × 44 px whatever font the device has: with a small, narrow font
forced on every element (what a phone without a CJK font, or a user's own font, can look like),
the controls keep their size, because CSS minimum sizes decide it, not the text's width."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.ui.tests.browser import _TAP_TARGETS, MIN_TAP, MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Narrow text in the body (a fallback font with narrow glyphs makes 「施設」 ~20 px wide); the
# root size stays, as a font does not change it, so 2.75rem is still 44 px.
NARROW_FONT = ("body, body *, body *::before, body *::after { font-family: 'DejaVu Sans Condensed', sans-serif !important;"
               " font-size: 9px !important; letter-spacing: 0 !important; }")
PAGES = ["/", "/search/?q=資金繰りに困っている", "/search/diagnosis/?stage=startup&need=finance&step=roadmap", "/cases/new/", "/facilities/"]


def test_tap_targets_hold_with_a_narrow_font(live_server: Any, live_plan: None, chromium: Any) -> None:
    # bypass_csp: only so the test can inject its font rule; the page's own CSP refuses inline styles.
    context = chromium.new_context(viewport=MOBILE, locale="ja-JP", bypass_csp=True)
    try:
        page = context.new_page()
        for path in PAGES:
            page.goto(live_server.url + path)
            page.add_style_tag(content=NARROW_FONT)
            page.locator(".site-menu > summary").click()  # the menu's links are measured open
            small = [t for t in page.evaluate(_TAP_TARGETS) if t["h"] < MIN_TAP or t["w"] < MIN_TAP]
            assert not small, f"tap targets under 44 px with a narrow font on {path}: {small}"
    finally:
        context.close()
