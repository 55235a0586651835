"""The example deployment in docs/deploy/ is well-formed, and every command it runs exists."""

from __future__ import annotations

import configparser
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from madoguchi.ops.tests.conftest import ROOT

DEPLOY = ROOT / "docs" / "deploy"


def _check_madoguchi_command(words: list[str]) -> None:
    """`…/madoguchi NAME --opt …`: NAME is a management command and each --opt one of its options."""
    at = next(i for i, word in enumerate(words) if word.endswith("/madoguchi"))
    name, rest = words[at + 1].replace("-", "_"), words[at + 2:]
    commands = get_commands()
    assert name in commands, f"madoguchi {words[at + 1]} does not exist"
    parser = load_command_class(commands[name], name).create_parser("madoguchi", name)
    known = set(parser._option_string_actions)
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"madoguchi {words[at + 1]} has no option {word}"


# --- nginx -----------------------------------------------------------------------------------

def _nginx_statements(text: str) -> list[tuple[int, str]]:
    """(depth, statement) pairs; fails on unbalanced braces or a statement without its ';'."""
    text = re.sub(r"#[^\n]*", "", text)
    statements, depth, current = [], 0, ""
    for char in text:
        if char in "{;}":
            word = " ".join(current.split())
            if char == "}":
                assert not word, f"statement without ';' before '}}': {word!r}"
                depth -= 1
                assert depth >= 0, "a '}' closes nothing"
            else:
                assert word, f"empty statement before {char!r}"
                statements.append((depth, word))
                depth += char == "{"
            current = ""
        else:
            current += char
    assert depth == 0, "a '{' is never closed"
    assert not current.strip(), f"trailing text without ';': {current.strip()!r}"
    return statements


def test_nginx_conf_is_well_formed_and_proxies_as_the_app_expects() -> None:
    statements = [s for _, s in _nginx_statements((DEPLOY / "nginx.conf").read_text(encoding="utf-8"))]
    assert "upstream madoguchi_app" in statements
    assert sum(s.startswith("server 10.") for s in statements) >= 2  # more than one app server
    assert "proxy_pass http://madoguchi_app" in statements
    # What the app relies on: the proxy's word on https (gunicorn FORWARDED_ALLOW_IPS) and request ids.
    assert "proxy_set_header X-Forwarded-Proto $scheme" in statements
    assert "proxy_set_header X-Request-ID $request_id" in statements
    assert "listen 443 ssl http2" in statements and "return 301 https://$host$request_uri" in statements


def test_the_structural_check_catches_a_missing_semicolon() -> None:
    with pytest.raises(AssertionError):
        _nginx_statements("server { listen 80 }")
    with pytest.raises(AssertionError):
        _nginx_statements("http { server { listen 80; }")


def test_nginx_accepts_the_conf(tmp_path: Path) -> None:
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        reason = "nginx is not installed (Debian: nginx-core): the structural check above stands in for `nginx -t`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true, but {reason}")
        pytest.skip(reason)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate_key [^;]+;", f"ssl_certificate_key {tmp_path / 'key.pem'};", site)
    site = re.sub(r"ssl_certificate [^;]+;", f"ssl_certificate {tmp_path / 'cert.pem'};", site)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n", encoding="utf-8")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- gunicorn ----------------------------------------------------------------------------------

def test_gunicorn_conf_compiles_and_sets_what_the_docs_say(tmp_path: Path) -> None:
    source = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    compile(source, "gunicorn.conf.py", "exec")
    code = ("import json, runpy; c = runpy.run_path('docs/deploy/gunicorn.conf.py'); "
            "print(json.dumps({k: c[k] for k in ('bind', 'workers', 'forwarded_allow_ips', 'wsgi_app', 'accesslog')}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "HOST": "10.0.1.11", "PORT": "8000", "WEB_CONCURRENCY": "6"})
    assert result.returncode == 0, result.stderr
    import json

    assert json.loads(result.stdout) == {"bind": ["10.0.1.11:8000"], "workers": 6, "forwarded_allow_ips": "10.0.1.10",
                                         "wsgi_app": "madoguchi.wsgi:application", "accesslog": None}


# --- systemd -----------------------------------------------------------------------------------

class _CaseSensitiveParser(configparser.ConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return optionstr  # systemd keys are case-sensitive


@pytest.mark.parametrize("unit", ["madoguchi-web.service", "madoguchi-worker.service"])
def test_systemd_units_parse_and_start_existing_programs(unit: str) -> None:
    parser = _CaseSensitiveParser(strict=False, interpolation=None)
    parser.read_string((DEPLOY / unit).read_text(encoding="utf-8"))
    assert parser.sections() == ["Unit", "Service", "Install"]
    service = parser["Service"]
    assert service["EnvironmentFile"] == "/etc/madoguchi/env"
    assert service["User"] == "madoguchi"
    words = shlex.split(service["ExecStart"])
    assert words[0].startswith("/srv/madoguchi/.venv/bin/")
    if words[0].endswith("/madoguchi"):
        _check_madoguchi_command(words)
    else:
        assert words[0].endswith("/gunicorn") and words[1:] == ["-c", "/etc/madoguchi/gunicorn.conf.py"]
    if "ExecStartPre" in service:
        _check_madoguchi_command(shlex.split(service["ExecStartPre"]))
    assert parser["Install"]["WantedBy"] == "multi-user.target"


# --- cron ----------------------------------------------------------------------------------------

_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def test_cron_lines_are_valid_and_run_existing_commands() -> None:
    jobs = []
    for line in (DEPLOY / "madoguchi.cron").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, f"cron.d lines need 5 times, a user and a command: {line!r}"
        for value, (low, high) in zip(fields[:5], _RANGES, strict=True):
            assert _FIELD.match(value), f"bad cron field {value!r} in {line!r}"
            for number in map(int, re.findall(r"\d+", value.split("/")[0])):
                assert low <= number <= high, f"{number} out of range in {line!r}"
        assert fields[5] == "madoguchi"
        assert "%" not in fields[6].replace("\\%", ""), "an unescaped % ends a cron command"
        words = shlex.split(fields[6])
        assert words[:2] == ["/usr/bin/flock", "-n"], "each job is guarded against overlapping runs"
        _check_madoguchi_command(words)
        jobs.append(words[words.index("/srv/madoguchi/.venv/bin/madoguchi") + 1])
    # One line: the backup. The rest of the schedule is the worker's (platform/jobs.py).
    assert jobs == ["backup"]


def test_the_worker_runs_what_cron_used_to() -> None:
    from madoguchi.platform.jobs import registered

    names = {job.name for job in registered()}
    assert {"match-stale", "match-all", "send-event-digests", "anonymise-cases", "anonymise-registrations",
            "send-program-alerts", "remind-stale", "prune"} <= names


def test_the_env_example_is_enough_for_the_deploy_check(tmp_path: Path) -> None:
    from madoguchi.ops.tests.conftest import clean_env, madoguchi

    values = dict(line.split("=", 1) for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#"))
    assert values["DJANGO_SECRET_KEY"].startswith("change-me")  # never a usable key in an example file
    values.update(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"), MEDIA_ROOT=str(tmp_path / "media"))
    result = madoguchi(clean_env(tmp_path, **values), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
