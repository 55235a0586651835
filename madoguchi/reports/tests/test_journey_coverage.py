"""Journey: a coordinator opens the coverage report from the menu and finds the gap (browser)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from madoguchi.ui.tests.browser import MOBILE, Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse 1"


def _a_busy_cell() -> tuple[str, str]:
    """Four consultations this year for the first function × stage of the plan; returns their names."""
    from madoguchi.cases.models import Case, Client
    from madoguchi.directory.models import BusinessStage, Organization, SupportFunction

    function, stage = SupportFunction.objects.order_by("order").first(), BusinessStage.objects.order_by("order").first()
    assert function is not None and stage is not None
    client = Client.objects.create(kind=Client.Kind.COMPANY, name="株式会社みやぎ試作")
    for _ in range(4):
        case = Case.objects.create(client=client, owner=Organization.objects.get(kind="core"), stage=stage,
                                   need="相談", consent=Case.Consent.CORE_ONLY)
        case.functions.add(function)
    return function.get_code_display(), stage.name


def test_a_coordinator_reads_the_coverage_matrix(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    from django.contrib.auth.models import User

    from madoguchi.directory.models import Membership, Organization

    user = User.objects.create_user("coordinator", "coordinator@example.jp", PASSWORD)
    Membership.objects.create(user=user, organization=Organization.objects.get(kind="core"), role="coordinator")
    function, stage = _a_busy_cell()
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next=/reports/")
    page.locator("input[name=username]").fill("coordinator")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/$"))
    assert page.get_by_role("navigation", name="メインメニュー").locator("[aria-current=page]").inner_text() == "報告・統計"
    assert "受け付けた相談" in page.locator("main").inner_text()
    check_page(page, journey, "kpi")

    page.get_by_role("link", name="需要と供給（支援の空白）").click()
    page.wait_for_url(re.compile(r"/reports/coverage/"))
    matrix = page.locator("table.coverage-matrix")
    headers = matrix.locator("thead th").all_inner_texts()
    row = matrix.locator("tbody tr", has=page.locator("th", has_text=function))
    cell = row.locator("td").nth(headers.index(stage) - 1)
    assert cell.locator(".cell-demand").inner_text().endswith("4")
    check_page(page, journey, "coverage")

    # On a phone the matrix scrolls inside its own box; the page does not (check_page asserts it).
    page.set_viewport_size(MOBILE)
    page.get_by_label("開始日").fill("2026-04-01")
    page.get_by_label("終了日").fill("2026-03-31")
    page.get_by_role("button", name="集計する").click()
    assert "より後になっています" in page.locator(".errorlist-summary[role=alert]").inner_text()
    check_page(page, journey, "coverage-error")
