"""Fresh interpreters with their own environment: settings are read once, at import."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
Run = Callable[..., subprocess.CompletedProcess[str]]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This machine's environment without any deployment variable, plus `extra`."""
    drop = ("SECURE_", "DJANGO_", "DATABASE_", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "LOG_", "WEB_CONCURRENCY")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update({"VAR_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static"), **extra})
    return env


def madoguchi(env: dict[str, str], *args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "madoguchi.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def client_get(env: dict[str, str], path: str, **headers: str) -> dict[str, Any]:
    """GET `path` through Django's test client in a fresh process with `env`; status, headers, body."""
    code = (
        "import django, json, sys; django.setup()\n"
        "from django.test import Client\n"
        f"r = Client(raise_request_exception=False).get({path!r}, headers={headers!r})\n"
        "print(json.dumps({'status': r.status_code, 'headers': dict(r.headers),"
        " 'body': r.content.decode('utf-8', 'replace')}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"ALLOWED_HOSTS": "testserver", **env, "DJANGO_SETTINGS_MODULE": "madoguchi.settings"})
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A port nothing listens on (bound and released: the kernel gives it to nobody at once)."""
    return free_port()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file for the tests that serve through a real process (migrating takes seconds)."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "madoguchi.sqlite3"
    result = madoguchi(clean_env(folder, DATABASE_URL=f"sqlite:///{db}"), "migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    return db
