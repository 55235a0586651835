"""Production settings come from the environment, and with the README's set `check --deploy` passes.

Each test starts a fresh interpreter: settings are read once, at import.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "madoguchi.example.jp",
    "SITE_URL": "https://madoguchi.example.jp",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", VAR_DIR=str(tmp_path), **extra)
    return env


def _madoguchi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "madoguchi.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_the_documented_production_variables(tmp_path: Path) -> None:
    result = _madoguchi(_env(tmp_path, **PRODUCTION), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_them(tmp_path: Path) -> None:
    env = _env(tmp_path, SECRET_KEY=PRODUCTION["SECRET_KEY"], ALLOWED_HOSTS="madoguchi.example.jp")
    result = _madoguchi(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_http_site_url_with_ssl_redirect_is_reported(tmp_path: Path) -> None:
    result = _madoguchi(_env(tmp_path, **{**PRODUCTION, "SITE_URL": "http://madoguchi.example.jp"}),
                        "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "madoguchi.W003" in result.stderr


def _settings(env: dict[str, str], *names: str) -> dict[str, object]:
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**env, "DJANGO_SETTINGS_MODULE": "madoguchi.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_proxy_header_and_hsts_are_read_from_the_environment(tmp_path: Path) -> None:
    values = _settings(_env(tmp_path, **PRODUCTION), "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
                       "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    assert values == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "SECURE_HSTS_SECONDS": 31536000,
                      "SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True}


def test_a_malformed_proxy_header_stops_start_up_with_its_example(tmp_path: Path) -> None:
    result = _madoguchi(_env(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"), "check")
    assert result.returncode != 0
    assert "HTTP_X_FORWARDED_PROTO,https" in result.stderr


def test_behind_the_tls_proxy_https_requests_are_served_and_plain_http_is_redirected(settings, db) -> None:
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()  # built after the settings change: SecurityMiddleware reads them once

    proxied = client.get("/programs/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get("/programs/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/programs/"
