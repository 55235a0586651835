"""EMAIL_URL and the mail defaults: `make run` writes mail to var/mail/ unless told where to send it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from madoguchi.lib.email_url import EmailURLError, parse_email_url

ROOT = Path(__file__).resolve().parents[3]
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_smtp_with_starttls_and_an_encoded_password() -> None:
    config = parse_email_url("smtp://madoguchi%40example.jp:p%40ss%2Fword@mail.example.jp:587?tls=true&timeout=10")
    assert config == {
        "EMAIL_BACKEND": SMTP, "EMAIL_HOST": "mail.example.jp", "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "madoguchi@example.jp", "EMAIL_HOST_PASSWORD": "p@ss/word",
        "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 10,
    }


def test_smtps_means_tls_from_the_first_byte_on_465() -> None:
    config = parse_email_url("smtps://user:pw@mail.example.jp")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (465, True, False)


def test_a_local_relay_needs_no_credentials() -> None:
    config = parse_email_url("smtp://127.0.0.1")
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_HOST_USER"]) == ("127.0.0.1", 25, "")


def test_file_and_console() -> None:
    assert parse_email_url("file:///var/spool/mail-out") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": "/var/spool/mail-out"}
    assert parse_email_url("console://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize("url, message", [
    ("http://mail.example.jp", "scheme http:// is not one of"),
    ("smtp://", "smtp:// needs a host"),
    ("smtp://mail.example.jp:port", "the port is not a number"),
    ("smtp://mail.example.jp?tls=maybe", "tls=maybe is not true/false"),
    ("smtp://mail.example.jp?tls=true&ssl=true", "choose tls"),
    ("smtp://mail.example.jp?timeout=soon", "timeout=soon is not a whole number"),
    ("file://", "file:// needs a directory"),
])
def test_a_bad_url_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(EmailURLError, match=message):
        parse_email_url(url)


def _mail_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DJANGO_"))}
    clean.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="madoguchi.settings", **env)
    code = ("import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) for n in "
            "['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS', 'EMAIL_FILE_PATH']}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_any_mail_setting_mail_is_written_under_var_mail(tmp_path: Path) -> None:
    config = _mail_settings(tmp_path)
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert config["EMAIL_FILE_PATH"] == str(tmp_path / "mail")


def test_email_url_wins_and_the_older_variables_still_work(tmp_path: Path) -> None:
    config = _mail_settings(tmp_path, EMAIL_URL="smtp://mail.example.jp:587?tls=true", EMAIL_HOST="ignored.example.jp")
    assert (config["EMAIL_BACKEND"], config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == (
        SMTP, "mail.example.jp", 587, True)
    older = _mail_settings(tmp_path, EMAIL_HOST="relay.example.jp", EMAIL_PORT="2525")
    assert (older["EMAIL_BACKEND"], older["EMAIL_HOST"], older["EMAIL_PORT"]) == (SMTP, "relay.example.jp", 2525)


def test_the_worker_writes_queued_mail_to_the_file_backend(db, settings, tmp_path: Path) -> None:
    from madoguchi.platform.mail import Sender, enqueue_email

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    enqueue_email("yamada@example.jp", "【madoguchi】テスト", "本文です。")
    assert Sender().send_next()
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "mail").glob("*.log"))
    assert "To: yamada@example.jp" in written and "本文です。" in written


def test_production_settings_whose_mail_goes_nowhere_are_reported(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DJANGO_"))}
    clean.update(VAR_DIR=str(tmp_path), DEBUG="false", DATABASE_URL="postgres://postgres@127.0.0.1:5432/madoguchi")
    run = [sys.executable, "-m", "madoguchi.cli", "check"]
    result = subprocess.run(run, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert "madoguchi.W020" in result.stderr + result.stdout
    clean["EMAIL_URL"] = "smtp://mail.example.jp:587?tls=true"
    result = subprocess.run(run, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert "madoguchi.W020" not in result.stderr + result.stdout
