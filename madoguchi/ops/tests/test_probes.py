"""/healthz and /readyz as a load balancer sees them, the database down, migrations missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.test import Client

from madoguchi.ops.tests.conftest import clean_env, client_get, closed_port


def test_healthz_answers_without_touching_the_database() -> None:
    # No `db` fixture: any query here would fail the test.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_green_on_a_migrated_database_with_the_index_loaded(plan) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok"}
    from madoguchi.search.status import index_ready

    assert index_ready(load=False)  # loaded by the probe itself: a fresh worker turns ready when asked


def test_readyz_is_503_with_the_reason_when_the_database_is_down(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/madoguchi")
    ready = client_get(env, "/readyz")
    assert ready["status"] == 503
    body = json.loads(ready["body"])
    assert body["reason"] == "database"
    assert "データベースに接続できません" in body["detail"]
    # The process itself is fine: liveness stays green, so nothing restarts it for the database's sake.
    assert client_get(env, "/healthz")["status"] == 200


def test_a_page_answers_503_with_retry_after_when_the_database_is_down(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/madoguchi")
    page = client_get(env, "/")
    assert page["status"] == 503
    assert page["headers"]["Retry-After"] == "5"
    assert "一時的に利用できません" in page["body"]
    api = client_get(env, "/api/search?q=創業")
    assert api["status"] == 503
    assert json.loads(api["body"])["code"] == "database_unavailable"


def test_readyz_is_503_until_migrations_are_applied(tmp_path: Path, migrated_sqlite: Path) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    ready = client_get(clean_env(tmp_path, DATABASE_URL=f"sqlite:///{fresh}"), "/readyz")
    assert ready["status"] == 503
    body = json.loads(ready["body"])
    assert body["reason"] == "migrations"
    assert "未適用のマイグレーション" in body["detail"]

    migrated = tmp_path / "migrated.sqlite3"
    shutil.copy(migrated_sqlite, migrated)
    assert client_get(clean_env(tmp_path, DATABASE_URL=f"sqlite:///{migrated}"), "/readyz")["status"] == 200
