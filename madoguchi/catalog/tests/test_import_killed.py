"""An import killed with SIGKILL halfway leaves the database as it was before the import.

A real process on a real file database: the importer has already written batches inside its one
transaction when the kill arrives, and nothing of them may survive (SQLite's journal rolls the
open transaction back when the next connection opens the file).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from madoguchi.catalog.synthetic import write_csv

ROOT = Path(__file__).resolve().parents[3]


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    env.update(VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "madoguchi.cli", *args]


def _entries(var_dir: Path) -> int:
    with sqlite3.connect(var_dir / "madoguchi.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM catalog_catalogentry").fetchone()[0])


def test_an_import_killed_midway_leaves_the_database_as_before(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run(_command("migrate", "--noinput", "-v0"), cwd=ROOT, env=env, check=True, timeout=300)
    first = write_csv(tmp_path / "first.csv", 10)
    subprocess.run(_command("import-programs", str(first), "--source", "kill-test"),
                   cwd=ROOT, env=env, check=True, timeout=300, capture_output=True)
    assert _entries(tmp_path) == 10

    big = write_csv(tmp_path / "big.csv", 30_000)
    process = subprocess.Popen(_command("import-programs", str(big), "--source", "kill-test"),
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    seen, deadline = b"", time.monotonic() + 240
    # Kill once the progress bar says some thousands of rows are written (several batches).
    while time.monotonic() < deadline and process.poll() is None:
        seen += process.stderr.read() or b""
        done = [int(n.replace(b",", b"")) for n in re.findall(rb"\] ([0-9,]+)/", seen)]
        if done and done[-1] >= 3_000:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import ended before it could be killed: " + seen.decode(errors="replace")[-500:]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _entries(tmp_path) == 10
    # And the file is healthy: the same import runs to the end afterwards.
    subprocess.run(_command("import-programs", str(big), "--source", "kill-test", "--no-progress"),
                   cwd=ROOT, env=env, check=True, timeout=600, capture_output=True)
    assert _entries(tmp_path) == 30_000  # the generator's first ten ids are the first file's: updated in place
