"""Journey with JavaScript switched off: every page must work without it (htmx is an extra).

Search from the header, change a filter, open an institution and apply for a consultation —
all with plain links and form submissions. (axe-core needs JavaScript, so these pages are
checked by the other journeys; here only that they work.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import DESKTOP, SCREENSHOT_DIR, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_and_intake_work_without_javascript(live_server: Any, live_plan: None, chromium: Any, journey: Journey) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    journey.watch(page)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(live_server.url + "/organizations/")
        page.get_by_role("searchbox").first.fill("試作品の開発資金を借りたい")
        page.get_by_role("button", name="探す").first.click()
        page.wait_for_url(re.compile(r"/search/\?"))
        assert page.locator("li.search-hit").count() >= 1

        # The filters are a plain GET form, folded under 「条件で絞り込む」 (details: opens without
        # JavaScript); submitting it narrows the results.
        page.get_by_text("条件で絞り込む").click()
        page.locator("main select").first.select_option(index=1)
        page.locator("main form").get_by_role("button", name="探す").click()
        page.wait_for_load_state("load")
        assert page.locator("li.search-hit").count() >= 1
        page.screenshot(path=str(SCREENSHOT_DIR / "no-js-results-1280.png"), full_page=True)

        page.locator("li.search-hit a[href*='/organizations/']").first.click()
        page.wait_for_url(re.compile(r"/organizations/[^/]+/$"))
        page.get_by_role("link", name="この機関への相談を申し込む").click()
        page.wait_for_url(re.compile(r"/cases/new/"))
        form = page.locator("main form")
        form.get_by_label("個人", exact=True).check()
        form.get_by_label("法人名・氏名").fill("宮城 花子")
        form.get_by_label("所在地（市区町村）").select_option(label="仙台市")
        form.get_by_label("ご相談の内容").fill("創業の資金について相談したい。")
        form.get_by_label("中核的支援機関（みやぎ産業振興機構）のみに共有する").check()
        form.get_by_role("button", name="相談を申し込む").click()
        page.wait_for_url(re.compile(r"/cases/new/received/$"))
        assert "受付番号" in page.locator("main").inner_text()
        page.screenshot(path=str(SCREENSHOT_DIR / "no-js-received-1280.png"), full_page=True)
        assert not journey.console_errors, journey.console_errors
    finally:
        context.close()
