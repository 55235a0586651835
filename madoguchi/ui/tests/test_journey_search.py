"""Journey: a company asks a question in its own words, sees institutions with reasons, opens one.

And the guided alternative: the one-stop diagnosis wizard (stage → need → field → place → roadmap).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "大学の技術を使って新製品を開発したい"


def test_question_to_institutions_with_reasons_to_one_institution(
    live_server: Any, live_plan: None, page: Any, journey: Journey
) -> None:
    page.goto(live_server.url + "/")
    check_page(page, journey, "home")

    page.get_by_role("searchbox").first.fill(QUESTION)
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    hits = page.locator("li.search-hit")
    assert hits.count() >= 3, f"too few results for {QUESTION!r}: {hits.count()}"
    # Every result says why it matched, in words (not by colour or position alone).
    for i in range(min(hits.count(), 5)):
        assert hits.nth(i).locator(".reasons li").count() >= 1, f"result {i + 1} has no reason"
    check_page(page, journey, "results")

    institution = page.locator("li.search-hit a[href*='/organizations/']").first
    name = institution.inner_text().strip()
    institution.click()
    page.wait_for_url(re.compile(r"/organizations/[^/]+/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == name
    check_page(page, journey, "institution")


def test_diagnosis_wizard_leads_to_a_roadmap(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    page.goto(live_server.url + "/search/diagnosis/")
    check_page(page, journey, "step-stage")
    page.locator("input[name=stage]").first.check()
    page.get_by_role("button", name="次へ").click()

    page.wait_for_url(re.compile(r"step=need"))
    check_page(page, journey, "step-need")
    page.locator("input[name=need]").first.check()
    page.get_by_role("button", name="次へ").click()

    page.wait_for_url(re.compile(r"step=field"))
    check_page(page, journey, "step-field")
    page.get_by_role("button", name="次へ").click()

    page.wait_for_url(re.compile(r"step=place"))
    check_page(page, journey, "step-place")
    page.get_by_label("事業の場所（市区町村）は？").select_option(label="仙台市")
    page.get_by_role("button", name="次へ").click()

    page.wait_for_url(re.compile(r"step=roadmap"))
    assert page.get_by_role("heading", name="あなたへのロードマップ").is_visible()
    assert page.get_by_role("heading", name="いま使える支援").is_visible()
    check_page(page, journey, "roadmap")


def test_an_english_speaker_asks_in_english_and_reads_the_reasons_in_english(
    live_server: Any, live_plan: None, page: Any, journey: Journey
) -> None:
    page.goto(live_server.url + "/organizations/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    search = page.get_by_role("search").get_by_role("searchbox", name=re.compile("What do you need help with"))
    search.fill("license a university patent")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    assert page.locator("html").get_attribute("lang") == "en"
    first = page.locator("li.search-hit").first
    reasons = first.locator(".reasons").inner_text()
    # Plain English reasons from the card, not the engine's phrasing.
    assert reasons.strip() and "一致" not in reasons and "matches the" not in reasons
    check_page(page, journey, "results-en")
