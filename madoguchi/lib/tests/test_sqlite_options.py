"""SQLite gets its options (IMMEDIATE transactions, busy timeout, WAL) however it is named.

`DATABASE_URL=sqlite:///...` used to drop them, and concurrent writers then failed at once with
"database is locked". The writers run in a fresh interpreter so the settings are read from that
environment, as `madoguchi` itself would read them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# Eight threads, each with its own connection, each doing read-then-write transactions: the shape
# that fails in SQLite's default (deferred) mode, where the read lock cannot be upgraded while
# another connection writes, whatever the timeout.
WRITERS = """
import json, threading, django
django.setup()
from django.conf import settings
from django.db import connection, transaction

THREADS, WRITES = 8, 25
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS tally (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    c.execute("PRAGMA journal_mode")
    journal = c.fetchone()[0]
connection.close()
errors = []
barrier = threading.Barrier(THREADS)

def writer():
    barrier.wait()
    try:
        for _ in range(WRITES):
            try:
                with transaction.atomic(), connection.cursor() as c:
                    c.execute("SELECT count(*) FROM tally")
                    n = c.fetchone()[0]
                    c.execute("INSERT INTO tally (n) VALUES (%s)", [n])
            except Exception as exc:
                errors.append(f"{exc.__class__.__name__}: {exc}")
    finally:
        connection.close()

threads = [threading.Thread(target=writer) for _ in range(THREADS)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM tally")
    rows = c.fetchone()[0]
print(json.dumps({"journal": journal, "rows": rows, "errors": errors,
                  "options": settings.DATABASES["default"].get("OPTIONS", {})}, default=str))
"""


def _run_writers(tmp_path: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="madoguchi.settings", VAR_DIR=str(tmp_path))
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run([sys.executable, "-c", WRITERS], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("named_by", ["DATABASE_URL", "default"])
def test_concurrent_writers_never_see_database_is_locked(tmp_path: Path, named_by: str) -> None:
    url = f"sqlite:///{tmp_path / 'named.sqlite3'}" if named_by == "DATABASE_URL" else None
    outcome = _run_writers(tmp_path, url)
    assert outcome["errors"] == []
    assert outcome["rows"] == 8 * 25
    assert outcome["journal"] == "wal"
    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"
    assert (tmp_path / ("named.sqlite3" if url else "madoguchi.sqlite3")).exists()
