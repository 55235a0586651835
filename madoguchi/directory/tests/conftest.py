"""Small builders for the directory's view tests; each test still creates the rows it asserts on."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.directory.models import Municipality, SupportFunction

# The browser fixtures live with the other journeys (madoguchi/ui/tests); imported here, not in the
# test modules, so that pytest finds them and the tests' parameters do not shadow an import.
from madoguchi.ui.tests.conftest import chromium, journey, live_plan, page, plan_dump  # noqa: F401  (fixtures, found by name)

FUNCTIONS = [
    ("tech_dev", "技術開発支援"), ("tech_transfer", "技術移転支援"), ("startup", "起業化支援"),
    ("finance", "資金・設備支援"), ("management", "経営改善支援"), ("market", "販路開拓支援"),
    ("market_info", "技術・人材市場情報支援"), ("talent", "人材発掘・育成支援"),
]


@pytest.fixture
def functions(db: Any) -> dict[str, SupportFunction]:
    """The eight functions of 表4, keyed by code."""
    return {
        code: SupportFunction.objects.create(code=code, name=name, short_name=name[:4], order=i)
        for i, (code, name) in enumerate(FUNCTIONS, start=1)
    }


@pytest.fixture
def sendai(db: Any) -> Municipality:
    return Municipality.objects.create(code="041009", name="仙台市", kind=Municipality.Kind.DESIGNATED_CITY)


@pytest.fixture
def aoba(sendai: Municipality) -> Municipality:
    return Municipality.objects.create(code="041017", name="青葉区", kind=Municipality.Kind.WARD, parent=sendai)
