from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    """Messages are checked in Japanese; a test elsewhere may leave English active in this thread
    (LocaleMiddleware activates a language per request and never deactivates it)."""
    with translation.override("ja"):
        yield
