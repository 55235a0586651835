"""The server `madoguchi bench http` measures: `make serve`'s gunicorn on a throw-away copy of the data.

Everything happens in child processes with an environment of their own (settings are read once,
at import), under a temporary VAR_DIR: the SQLite database, the search index file, the collected
static files and the server's log. The user's configured database is never opened: DATABASE_URL is
dropped from the children's environment unless --database-url names a database on purpose (an
SQLite file is then copied first; a PostgreSQL database is only read, see `environment`).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import madoguchi
from madoguchi.bench.wrk import HEADERS

ROOT = Path(madoguchi.__file__).resolve().parent.parent
# The children's environment drops every variable of a deployment, of this machine's database and
# of its logging (a developer's LOG_LEVEL=DEBUG would be measured too): production defaults instead.
_DROP_PREFIXES = ("DATABASE_", "DJANGO_", "SECURE_", "EMAIL_", "LOG_")
_DROP = {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "ALLOWED_HOSTS", "SITE_URL", "STATIC_ROOT", "VAR_DIR", "HOST", "PORT",
         "GUNICORN_CONTROL_SOCKET", "REQUEST_LOG_LEVEL", "SEARCH_DELTA_MERGE_AT"}
# One child sets up the throw-away database: what `make load-plan` and `make serve` run, in one start-up.
_PREPARE = """\
import io, django
django.setup()
from django.core.management import call_command
out = io.StringIO()
if {load}:
    call_command("migrate", interactive=False, verbosity=0, stdout=out)
    call_command("load_plan", stdout=out)
    call_command("reindex", stdout=out)
call_command("collectstatic", interactive=False, verbosity=0, stdout=out)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def default_workers() -> int:
    """WEB_CONCURRENCY as gunicorn_conf reads it: the variable, else 2 × the cores we may use."""
    from madoguchi.ops.gunicorn_conf import _cores

    return int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores())


def environment(work: Path, port: int, workers: int, database_url: str | None) -> dict[str, str]:
    """The server's environment: a deployment (DEBUG off, a secret key, its secure defaults) on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if k not in _DROP and not k.startswith(_DROP_PREFIXES)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "madoguchi.settings", "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(work), "STATIC_ROOT": str(work / "static"), "HOST": "127.0.0.1", "PORT": str(port),
        "WEB_CONCURRENCY": str(workers), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    if database_url:
        env["DATABASE_URL"] = database_url
        # A database of the user's: no merge of the search delta (a merge moves IndexVersion there).
        env["SEARCH_DELTA_MERGE_AT"] = str(10**9)
    return env


def copy_sqlite(url: str, work: Path) -> str:
    """An sqlite:/// URL's database copied into `work` (the online backup API: safe while it is in use)."""
    path = urllib.parse.urlparse(url).path
    path = path[1:] if path.startswith("//") else path  # sqlite:////abs/path
    source = Path(urllib.parse.unquote(path))
    if not source.is_file():
        raise RuntimeError(f"SQLite のファイルがありません / no SQLite file: {source}")
    target = work / "copy.sqlite3"
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def prepare(env: dict[str, str], *, load: bool) -> None:
    """Migrate, load the plan and reindex (with `load`), and collect the static files."""
    result = subprocess.run([sys.executable, "-c", _PREPARE.format(load=load)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError("データの準備に失敗しました / preparing the data failed:\n" + result.stderr[-3000:])


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return sorted(found)


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=HEADERS | {"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class Server:
    """gunicorn with madoguchi.ops.gunicorn_conf (as `make serve`), in a session of its own."""

    work: Path
    env: dict[str, str]
    workers: int
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.work / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            # Its own session: a Ctrl-C in the terminal reaches the benchmark only, which then stops
            # the server the graceful way (SIGTERM), rather than gunicorn's quick exit on SIGINT.
            self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:madoguchi.ops.gunicorn_conf"],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 180) -> None:
        """Until every worker is up and GET /readyz answers 200 (database, migrations, search index loaded).

        gunicorn_conf loads the search index in post_worker_init, before a worker takes its first
        request, so a worker that answers has its index; /readyz then confirms it.
        """
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"サーバーが終了しました / the server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                status, _ = get(self.base + "/readyz", timeout=5)
            except OSError:
                status = 0
            # all workers up, and /readyz 200 a few times over (each worker answers once it accepts)
            if status == 200 and len(children(self.proc.pid)) >= self.workers \
                    and all(get(self.base + "/readyz")[0] == 200 for _ in range(2 * self.workers)):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"サーバーが {timeout:.0f} 秒以内に準備できませんでした / the server was not "
                                   f"ready within {timeout:.0f} s (last /readyz: {status}):\n{self.log_tail()}")
            time.sleep(0.3)

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def wait_quiet(self, still: float = 0.5, at_most: float = 30.0) -> None:
        """Until the log stops growing: the requests wrk left in the backlog when it stopped are answered."""
        deadline = time.monotonic() + at_most
        size = self.log_size()
        while time.monotonic() < deadline:
            time.sleep(still)
            if (now := self.log_size()) == size:
                return
            size = now

    def answered_since(self, offset: int) -> list[tuple[str, int]]:
        """(path, status) of every request the server logged after byte `offset` of its log
        (madoguchi.request's JSON line per request: what the server saw, not what wrk counted)."""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            lines = log.read().decode("utf-8", "replace").splitlines()
        out = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("logger") == "madoguchi.request":
                out.append((str(record.get("path")), int(record.get("status") or 0)))
        return out

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid) if self.proc is not None else []

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far (Linux; 0 elsewhere)."""
        if self.proc is None:
            return 0.0
        ticks = sum(_cpu_ticks(pid) for pid in [self.proc.pid, *self.worker_pids()])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """SIGTERM: gunicorn lets each worker finish its request, then exits (graceful_timeout)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=int(self.env.get("GUNICORN_TIMEOUT") or 30) + 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def api_items(base: str, path: str, limit: int = 100) -> list[dict[str, Any]]:
    """The items of a list in the JSON API (first page of `limit`)."""
    sep = "&" if "?" in path else "?"
    status, body = get(f"{base}{path}{sep}limit={limit}")
    if status != 200:
        raise RuntimeError(f"GET {path} → {status}")
    data = json.loads(body)
    return list(data["items"] if isinstance(data, dict) else data)
