"""With just the variables the README lists for production, `check --deploy` is clean."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

from madoguchi.ops.tests.conftest import ROOT, clean_env, madoguchi


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="madoguchi.example.jp",
                     DATABASE_URL="postgres://madoguchi@db.internal:5432/madoguchi", HOST="0.0.0.0", PORT="8000",
                     **extra)


def _settings(env: dict[str, str], *names: str) -> dict[str, object]:
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**env, "DJANGO_SETTINGS_MODULE": "madoguchi.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_only_the_listed_variables(tmp_path: Path) -> None:
    result = madoguchi(_production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_deployment_gets_secure_defaults_and_debug_only_when_asked(tmp_path: Path) -> None:
    names = ("DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
             "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY")
    assert _settings(_production(tmp_path), *names) == {
        "DEBUG": False, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_CONTENT_TYPE_NOSNIFF": True, "SECURE_REFERRER_POLICY": "same-origin",
    }
    # DJANGO_DEBUG=1 turns debug on, and the deploy check says so.
    debug = _production(tmp_path, DJANGO_DEBUG="1")
    assert _settings(debug, "DEBUG") == {"DEBUG": True}
    result = madoguchi(debug, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "security.W018" in result.stderr


def test_a_laptop_without_a_secret_key_keeps_plain_http(tmp_path: Path) -> None:
    # `make run` and the tests: no redirect to https, cookies over http, and the deploy check warns.
    values = _settings(clean_env(tmp_path), "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE")
    assert values == {"DEBUG": False, "SECURE_SSL_REDIRECT": False, "SESSION_COOKIE_SECURE": False}
    result = madoguchi(clean_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "madoguchi.W001" in result.stderr
