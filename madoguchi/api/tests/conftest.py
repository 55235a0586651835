"""Reference data the API tests share: the eight functions of 表4 and a few municipalities."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from madoguchi.directory.models import Municipality, SupportFunction

# 表4's columns, in the plan's order (codes are the project's stable ones).
FUNCTIONS = [
    ("tech_dev", "技術開発支援", "技術開発"),
    ("tech_transfer", "技術移転支援", "技術移転"),
    ("startup", "起業化支援", "起業化"),
    ("finance", "資金・設備支援", "資金・設備"),
    ("management", "経営改善支援", "経営改善"),
    ("market", "販路開拓支援", "販路開拓"),
    ("market_info", "技術・人材市場情報支援", "市場情報"),
    ("talent", "人材発掘・育成支援", "人材"),
]


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    """Messages are checked in Japanese; a test elsewhere may leave English active in this thread
    (LocaleMiddleware activates a language per request and never deactivates it)."""
    with translation.override("ja"):
        yield


@pytest.fixture
def functions(db) -> dict[str, SupportFunction]:
    return {
        code: SupportFunction.objects.create(code=code, name=name, short_name=short, order=i + 1)
        for i, (code, name, short) in enumerate(FUNCTIONS)
    }


@pytest.fixture
def sendai(db) -> Municipality:
    return Municipality.objects.create(code="04100", name="仙台市", kind=Municipality.Kind.DESIGNATED_CITY)


@pytest.fixture
def aoba(sendai: Municipality) -> Municipality:
    return Municipality.objects.create(code="04101", name="青葉区", kind=Municipality.Kind.WARD, parent=sendai)


@pytest.fixture
def taiwa(db) -> Municipality:
    return Municipality.objects.create(code="04421", name="大和町", kind=Municipality.Kind.TOWN)
