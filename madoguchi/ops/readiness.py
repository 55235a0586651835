"""What `GET /readyz` checks: the database answers, every migration is applied, search is loaded.

Each check returns None when fine, or a short machine-readable reason with a Japanese detail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Problem:
    reason: str  # "database", "migrations" or "search_index"
    detail: str


# Migrations do not come undone in a running process: once all are applied, stop re-reading them.
_migrations_applied: set[str] = set()


def check_database(alias: str = DEFAULT_DB_ALIAS) -> Problem | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        connections[alias].close()  # a broken connection must not be reused by the next request
        return Problem("database", f"データベースに接続できません: {exc.__class__.__name__}")
    return None


def check_migrations(alias: str = DEFAULT_DB_ALIAS) -> Problem | None:
    if alias in _migrations_applied:
        return None
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
        shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        return Problem("migrations", f"未適用のマイグレーションが {len(names)} 件あります: {shown}")
    _migrations_applied.add(alias)
    return None


def check_search_index() -> Problem | None:
    from madoguchi.search.status import index_ready

    if not index_ready():
        return Problem("search_index", "検索索引を読み込めていません（madoguchi reindex を実行してください）")
    return None


def problems() -> list[Problem]:
    """The first failing check decides (a later check needs the earlier ones to pass)."""
    for check in (check_database, check_migrations, check_search_index):
        problem = check()
        if problem is not None:
            return [problem]
    return []
