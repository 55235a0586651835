"""`make serve`'s server for real: gunicorn with two workers, static files, headers, JSON logs."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from madoguchi.ops.tests.conftest import ROOT, clean_env, free_port, madoguchi


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the test looks at the redirect itself


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_gunicorn_serves_pages_static_files_and_probes_with_json_logs(tmp_path: Path, migrated_sqlite: Path) -> None:
    db = tmp_path / "madoguchi.sqlite3"
    shutil.copy(migrated_sqlite, db)
    port = free_port()
    # Just the variables the README names for production: a deployment, with its secure defaults.
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite:///{db}", HOST="127.0.0.1", PORT=str(port),
                    DJANGO_SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
                    WEB_CONCURRENCY="2", LOG_LEVEL="INFO")
    assert madoguchi(env, "collectstatic", "--noinput", "-v0").returncode == 0
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:madoguchi.ops.gunicorn_conf"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _, _ = _get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 90 s"
                time.sleep(0.5)
        assert status == 200
        status, _, body = _get(f"{base}/readyz")
        assert status == 200, body

        # Plain http is sent to https; what the proxy (127.0.0.1 here) says came over TLS is served.
        status, headers, _ = _get(f"{base}/")
        assert status == 301 and headers["Location"].startswith("https://")
        status, headers, body = _get(f"{base}/", **{"X-Request-ID": "lb-1234", "X-Forwarded-Proto": "https"})
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["X-Request-ID"] == "lb-1234"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        scripts = re.findall(rb"<script\b[^>]*>", body)
        assert scripts and all(b"src=" in tag for tag in scripts)  # no inline script: every one has a src

        # whitenoise serves the collected, compressed files with a long cache life.
        status, headers, body = _get(f"{base}/static/css/madoguchi.css",
                                     **{"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"})
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert headers.get("Content-Encoding") == "gzip"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    lines = (tmp_path / "server.log").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    booted = [r for r in records if r["message"].startswith("Booting worker")]
    assert len(booted) == 2  # WEB_CONCURRENCY workers
    home = [r for r in records if r.get("path") == "/" and r.get("status") == 200]
    assert [r["request_id"] for r in home] == ["lb-1234"]
