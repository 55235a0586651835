"""Shared by the alert and reminder tests: the aiosmtpd server, Japanese, a known SITE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from madoguchi.cases.tests.conftest import smtp_server  # noqa: F401  (the aiosmtpd fixture)

SITE = "https://madoguchi.example.jp"


@pytest.fixture(autouse=True)
def _japanese_and_site(settings: Any) -> Iterator[None]:
    settings.SITE_URL = SITE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("ja"):
        yield


@pytest.fixture(autouse=True)
def _no_search_index_left_behind(settings: Any, tmp_path: Any) -> Iterator[None]:
    """search() caches its index per process and on disk under VAR_DIR; each test gets its own,
    so no later test sees rolled-back rows."""
    from madoguchi.search import service

    settings.VAR_DIR = tmp_path
    service._corpus = None
    yield
    service._corpus = None
