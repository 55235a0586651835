"""Suite-wide set-up: which database we run on, and what to do when it is missing.

On a laptop without PostgreSQL (or without Chromium for browser tests) those tests are
skipped with a clear reason. On CI (CI=true) a missing service is a failure, never a skip.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_problem() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
            password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3,
        ):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {cfg['HOST']}:{cfg['PORT']} is not reachable ({exc.__class__.__name__}: {exc})"


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _replica_problem() -> str | None:
    """Why the replica tests cannot run here, or None (DATABASE_REPLICA_URL names a live standby)."""
    url = os.environ.get("DATABASE_REPLICA_URL", "")
    if not url:
        return ("needs a streaming replica: `.ci/replica.sh start`, then DATABASE_REPLICA_URL="
                "postgres://postgres@127.0.0.1:5433/<the primary's database> (.ci/run does this)")
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                             password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3) as conn:
            if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]  # SELECT of one value: always one row
                return f"DATABASE_REPLICA_URL names {cfg['HOST']}:{cfg['PORT']}, which is not a standby"
    except psycopg.Error as exc:
        return f"the replica at {cfg['HOST']}:{cfg['PORT']} is not reachable ({exc.__class__.__name__}: {exc})"
    return None


def _mark_replica_tests(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Replica tests: skipped with the reason without the pair; under CI, a named pair that is
    missing is a failure (the replica run of .ci/run sets DATABASE_REPLICA_URL), and the runs
    that name no pair leave them out (deselected, never skipped) for that run."""
    replica_items = [item for item in items if item.get_closest_marker("replica")]
    if not replica_items:
        return
    if IN_CI and not os.environ.get("DATABASE_REPLICA_URL"):
        config.hook.pytest_deselected(items=replica_items)
        items[:] = [item for item in items if not item.get_closest_marker("replica")]
        return
    problem = _replica_problem()
    if problem is None:
        return
    if IN_CI and os.environ.get("DATABASE_REPLICA_URL"):
        raise pytest.UsageError(f"CI=true and DATABASE_REPLICA_URL is set, but {problem}")
    for item in replica_items:
        item.add_marker(pytest.mark.skip(reason=f"skipped: {problem}"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _mark_replica_tests(config, items)
    if _on_postgres():
        # Tests of SQLite itself (its backup API) belong to the SQLite run: deselected, not skipped;
        # so does the HTTP load test, which never uses DATABASE_URL (its own throw-away SQLite).
        sqlite_only = [item for item in items if item.get_closest_marker("sqlite") or item.get_closest_marker("load")]
        if sqlite_only:
            config.hook.pytest_deselected(items=sqlite_only)
            items[:] = [item for item in items if item not in sqlite_only]
    if not _on_postgres():
        # Tests of real concurrent transactions belong to the PostgreSQL run (`make test` with
        # DATABASE_URL, as CI does): on SQLite they are deselected, not skipped, and say so.
        postgres_only = [item for item in items if item.get_closest_marker("postgres")]
        if postgres_only:
            config.hook.pytest_deselected(items=postgres_only)
            items[:] = [item for item in items if not item.get_closest_marker("postgres")]
            config.stash[_DESELECTED_PG] = len(postgres_only)
        return
    problem = _postgres_problem()
    if problem is None:
        return
    if IN_CI:
        raise pytest.UsageError(f"CI=true and DATABASE_URL names PostgreSQL, but {problem}")
    skip = pytest.mark.skip(reason=f"skipped: {problem}; unset DATABASE_URL to run on SQLite")
    for item in items:
        item.add_marker(skip)


_DESELECTED_PG = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    count = config.stash.get(_DESELECTED_PG, 0)
    if count:
        terminalreporter.write_line(
            f"{count} PostgreSQL-only tests (concurrent transactions) were deselected on SQLite; "
            "run with DATABASE_URL=postgres://... to include them."
        )


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite (default)"
    return f"madoguchi database: {url.split('@')[-1] if '@' in url else url}; CI={IN_CI}"


@pytest.fixture
def plan(db):
    """The 2005 plan loaded into the test database; returns the loader's report."""
    from django.conf import settings

    from madoguchi.interop.loader import load_plan

    return load_plan(settings.PLAN_FILE)


@pytest.fixture(autouse=True)
def _replica_only_where_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """With DATABASE_REPLICA_URL set, only tests marked `replica` read it (pytest-django lets a test
    use only the databases it names); the others read the primary, as on a site without a replica."""
    if os.environ.get("DATABASE_REPLICA_URL") and not request.node.get_closest_marker("replica"):
        from madoguchi.ops import router

        monkeypatch.setattr(router, "READ_REPLICA", False)


@pytest.fixture(autouse=True)
def _japanese_by_default():
    """Every test starts and ends in Japanese: a page rendered in English by one test
    (LocaleMiddleware activates the language for the thread) must not leak into the next."""
    from django.utils import translation

    translation.activate("ja")
    yield
    translation.activate("ja")


@pytest.fixture
def role_settings(settings, tmp_path):
    """For the role tables: Japanese pages, fast passwords, and no search index left behind."""
    import sys

    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    with translation.override("ja"):
        yield settings
    service = sys.modules.get("madoguchi.search.service")
    if service is not None:
        service._corpus = None


@pytest.fixture
def cast(role_settings, db):
    """The one shared cast of users (madoguchi/lib/tests/cast.py) with its case referred to
    another institution: what every app's role × action table is run with."""
    from madoguchi.lib.tests.cast import build_cast

    return build_cast("referred")
