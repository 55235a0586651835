"""Fixtures for the browser journeys: one Chromium per session, a fresh context per test.

Debian's Chromium (/usr/bin/chromium) is driven by playwright; no browser is ever downloaded.
Without it the browser tests are skipped with the reason, and with CI=true they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from madoguchi.ui.tests.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Journey

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install Debian's chromium package; .ci/run does)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(f"skipped: {reason}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread, which makes Django's ORM
    # refuse to run ("async context") in the test body; the test body is plain sync code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        # launch() gives every run a fresh temporary profile (user data dir).
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A Japanese-speaking desktop browser tab; journeys resize it to 375 px where they need."""
    context = chromium.new_context(viewport=DESKTOP, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def journey(page: Any, request: pytest.FixtureRequest) -> Journey:
    """Records the pages a test reaches and fails it on console errors (CSP refusals, JS errors)."""
    j = Journey(name=request.node.name.removeprefix("test_"))
    j.watch(page)
    return j
