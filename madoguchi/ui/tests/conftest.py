"""Fixtures for the browser journeys: one Chromium per module, a fresh context per test.

Debian's Chromium (/usr/bin/chromium) is driven by playwright; no browser is ever downloaded.
Without it the browser tests are skipped with the reason, and with CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from madoguchi.ui.tests.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Journey

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The journeys' screenshots and layout figures are taken with the typeface the stylesheet names
# for Japanese (Noto Sans CJK JP). Tap targets hold at 44 px whatever the font (CSS min sizes);
# the font is checked so a missing one is reported as such, not as odd widths.
FONT_PACKAGE = "fonts-noto-cjk"
FONT_FAMILY = "Noto Sans CJK JP"


def cjk_font_missing() -> str | None:
    """Return why the CJK font is unusable (None when fontconfig has it)."""
    if shutil.which("fc-list") is None:
        return f"fc-list is missing (Debian package fontconfig); the browser tests need {FONT_PACKAGE}"
    families = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=False).stdout
    if FONT_FAMILY not in families:
        return f"the font {FONT_FAMILY!r} is not installed: install the Debian package {FONT_PACKAGE} (.ci/run does)"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module.

    Per module, not per session: while playwright runs, its event loop sits on this thread and
    Django's ORM refuses to run ("async context") unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The
    browser tests' bodies are plain sync code, so the flag is set for their module only and the
    rest of the suite keeps Django's guard.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install Debian's chromium package; .ci/run does)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(f"skipped: {reason}")
    font_problem = cjk_font_missing()
    if font_problem:
        if IN_CI:
            pytest.fail(f"CI=true but {font_problem}")
        pytest.skip(f"skipped: {font_problem}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            # launch() gives every run a fresh temporary profile (user data dir).
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


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


# Tables that Django fills itself after a flush; copying them would clash with the fresh rows.
_NOT_DUMPED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


@pytest.fixture(scope="session")
def plan_dump(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The 2005 plan loaded once per session and kept as two fixture files: the records, and
    the search index built from them.

    Browser tests need live_server, hence a transactional database that is emptied after each
    test; loading the plan afresh each time takes many seconds, loaddata of its result takes one.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from madoguchi.interop.loader import load_plan

    folder = tmp_path_factory.mktemp("plan")
    records, index = folder / "plan.json", folder / "search.json"
    with django_db_blocker.unblock(), transaction.atomic():
        load_plan(settings.PLAN_FILE)
        call_command("reindex", verbosity=0)
        call_command("dumpdata", exclude=[*_NOT_DUMPED, "search"], output=str(records), verbosity=0)
        call_command("dumpdata", "search", output=str(index), verbosity=0)
        transaction.set_rollback(True)
    return records, index


@pytest.fixture
def live_plan(plan_dump: tuple[Path, Path], transactional_db: None) -> None:
    """The plan's institutions, programs and places in the database the live server reads."""
    from django.apps import apps
    from django.core.management import call_command

    records, index = plan_dump
    call_command("loaddata", str(records), verbosity=0)
    # loaddata's many-to-many signals index some records on the way; replace that partial
    # index with the one built from the whole plan (faster than `reindex`, same result).
    for model in apps.get_app_config("search").get_models():
        model._default_manager.all().delete()
    call_command("loaddata", str(index), verbosity=0)
