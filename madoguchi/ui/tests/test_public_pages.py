"""The public pages no journey passes through, held to the same checks as the journeys' pages:
axe-core (no serious or critical violation), no sideways scrolling and 44 px targets at 375 px,
no console or CSP errors, screenshots at 375 and 1280 px."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.ui.tests.browser import Journey, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("organizations", "/organizations/"),
    ("organizations-filtered", "/organizations/?function=tech_transfer"),
    # the core institution has 34 programs: its page shows them paged, with the page links
    ("organization-paged", "/organizations/miyagi-industrial-promotion-organization/?programs=2"),
    ("programs", "/programs/"),
    ("function-matrix", "/functions/"),
    ("facilities", "/facilities/"),
    ("area", "/areas/sendai-hokubu/"),
    ("matching", "/matching/"),
    ("login", "/accounts/login/"),
]


def test_public_pages_pass_the_page_checks(live_server: Any, live_plan: None, page: Any, journey: Journey) -> None:
    from madoguchi.directory.models import Program

    program = Program.objects.order_by("pk").first()
    assert program is not None
    for name, path in [*PAGES, ("program", program.get_absolute_url())]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, f"{path} → {response and response.status}"
        check_page(page, journey, name)
