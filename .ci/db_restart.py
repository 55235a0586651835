"""PostgreSQL taken away under load: the app answers 503 fast and recovers without a restart
(issue 12, item 6; run by .ci/run, not part of pytest).

Starts the production server (gunicorn, 2 workers, kept connections: DB_CONN_MAX_AGE=60) on a
database of its own, drives it from 8 threads (a list page, the search API, /readyz), then takes the
database away for a few seconds: with --restart-postgres by stopping and starting the whole cluster,
otherwise by refusing connections to this database and terminating its sessions (the same to the
app, and it disturbs nobody else). It requires:

* no answer other than 200 or 503 at any time (no 500, no dropped connection),
* at least one 503 during the outage, each within DB_CONNECT_TIMEOUT + 1 s,
* all 200 again within 10 s of the database coming back,
* the same gunicorn worker processes before and after (nothing was restarted).

    python .ci/db_restart.py [--restart-postgres] [--outage 4]
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
DATABASE = "madoguchi_db_restart"
PATHS = ["/organizations/", "/api/search?q=%E5%89%B5%E6%A5%AD", "/readyz"]  # 創業
CONNECT_TIMEOUT = 2


def psql(sql: str, database: str = "postgres") -> str:
    command = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", database, "-Atqc", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def get(url: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = -1  # no HTTP answer at all: a dropped or refused connection
    return status, time.monotonic() - started


class Load:
    def __init__(self, base: str, threads: int = 8) -> None:
        self.base, self.stop = base, threading.Event()
        self.lock = threading.Lock()
        self.results: list[tuple[float, int, float, str]] = []  # (at, status, seconds, path)
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(threads)]

    def run(self, i: int) -> None:
        n = i
        while not self.stop.is_set():
            path = PATHS[n % len(PATHS)]
            n += 1
            status, seconds = get(self.base + path)
            with self.lock:
                self.results.append((time.monotonic(), status, seconds, path))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def take_database_away(restart_postgres: bool, seconds: float) -> tuple[float, float]:
    """Returns (went away, came back) on the monotonic clock."""
    if restart_postgres:
        version = sorted(os.listdir("/etc/postgresql"))[0]
        gone = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"], check=True)
        time.sleep(seconds)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    else:
        psql(f'ALTER DATABASE "{DATABASE}" ALLOW_CONNECTIONS false')
        gone = time.monotonic()
        psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DATABASE}'")
        time.sleep(seconds)
        psql(f'ALTER DATABASE "{DATABASE}" ALLOW_CONNECTIONS true')
    for _ in range(60):
        if subprocess.run(["pg_isready", "-h", PG["host"], "-p", PG["port"], "-q"]).returncode == 0:
            break
        time.sleep(0.5)
    return gone, time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restart-postgres", action="store_true",
                        help="stop and start the whole PostgreSQL cluster (disturbs every database on it)")
    parser.add_argument("--outage", type=float, default=4.0, help="seconds the database is away")
    args = parser.parse_args()

    psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{DATABASE}"')
    work = Path(tempfile.mkdtemp(prefix="madoguchi-db-restart-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}", "DB_CONN_MAX_AGE": "60",
           "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT), "VAR_DIR": str(work), "STATIC_ROOT": str(work / "static"),
           "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING",
           "REQUEST_LOG_LEVEL": "WARNING"}
    for name in ("DJANGO_SECRET_KEY", "SECRET_KEY", "DATABASE_REPLICA_URL"):
        env.pop(name, None)
    madoguchi = [sys.executable, "-m", "madoguchi.cli"]
    subprocess.run([*madoguchi, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*madoguchi, "load-plan"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    log = (work / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:madoguchi.ops.gunicorn_conf"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    failures: list[str] = []
    try:
        for _ in range(120):
            if get(base + "/readyz")[0] == 200:
                break
            time.sleep(0.5)
        else:
            raise SystemExit(f"FAIL: the server never became ready; see {work / 'server.log'}")
        workers_before = children(server.pid)
        with Load(base) as load:
            time.sleep(3)
            gone, back = take_database_away(args.restart_postgres, args.outage)
            time.sleep(10)
        workers_after = children(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()

    results = load.results
    counts = collections.Counter(status for _, status, _, _ in results)
    outage = [(s, sec) for at, s, sec, _ in results if gone <= at <= back]
    slow_503 = max((sec for _, s, sec, _ in results if s == 503), default=0.0)
    last_bad = max((at for at, s, _, _ in results if s != 200), default=gone)
    recovered_after = max(0.0, last_bad - back)
    print(f"{len(results)} requests over {results[-1][0] - results[0][0]:.1f} s: "
          + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())))
    print(f"database away {back - gone:.1f} s ({'cluster stopped and started' if args.restart_postgres else 'connections refused, sessions terminated'}); "
          f"503s during it: {sum(1 for s, _ in outage if s == 503)}; slowest 503: {slow_503 * 1000:.0f} ms; "
          f"all 200 again {recovered_after:.1f} s after it came back; workers {sorted(workers_before)} → {sorted(workers_after)}")
    if set(counts) - {200, 503}:
        failures.append(f"answers other than 200/503: { {k: v for k, v in counts.items() if k not in (200, 503)} }")
    if not any(s == 503 for s, _ in outage):
        failures.append("no 503 while the database was away")
    if slow_503 > CONNECT_TIMEOUT + 1:
        failures.append(f"a 503 took {slow_503:.1f} s (more than DB_CONNECT_TIMEOUT + 1 s)")
    if recovered_after > 10 - 1:
        failures.append(f"still failing {recovered_after:.1f} s after the database came back")
    if workers_before != workers_after:
        failures.append("gunicorn workers were replaced")
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    if failures:
        raise SystemExit("FAIL: " + "; ".join(failures) + f" (server log: {work / 'server.log'})")
    print("OK: the database outage was answered with fast 503s and the app recovered without a restart")


if __name__ == "__main__":
    main()
