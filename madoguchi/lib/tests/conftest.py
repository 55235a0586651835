"""Settings for the cross-app role tests (the cast in cast.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def role_settings(settings: Any, tmp_path: Path) -> Any:
    """Japanese pages, fast passwords, and no search index left behind for a later test."""
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    with translation.override("ja"):
        yield settings
    service = sys.modules.get("madoguchi.search.service")
    if service is not None:
        service._corpus = None  # type: ignore[attr-defined]
