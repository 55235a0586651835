"""Accounts: login with lockout, password reset by (queued) email, argon2, session expiry."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import time_machine
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from madoguchi.cases.models import Case
from madoguchi.platform.models import OutboundEmail


def _login(http: HttpClient, username: str, password: str) -> Any:
    return http.post(reverse("login"), {"username": username, "password": password})


def test_staff_log_in_and_land_on_their_cases(client: HttpClient, alice: User) -> None:
    response = _login(client, "alice", "correct horse 1")
    assert response.status_code == 302 and response["Location"] == reverse("cases:list")


def test_a_wrong_password_says_so_in_japanese(client: HttpClient, alice: User) -> None:
    response = _login(client, "alice", "wrong")
    assert response.status_code == 200
    assert "ユーザー名またはパスワードが正しくありません" in response.content.decode()


def test_five_failures_lock_the_login_even_with_the_right_password(client: HttpClient, alice: User) -> None:
    for _ in range(5):
        _login(client, "alice", "wrong")
    response = _login(client, "alice", "correct horse 1")
    assert response.status_code == 429
    assert "ログインが一時的に制限されています" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_user_name(client: HttpClient, alice: User, bob: User) -> None:
    for _ in range(5):
        _login(client, "alice", "wrong")
    assert _login(client, "bob", "correct horse 1").status_code == 302


def test_one_address_trying_many_user_names_is_locked_out(client: HttpClient, alice: User, bob: User,
                                                          settings: Any) -> None:
    """Four guesses on each of five accounts (20 from one address) lock the address, right password or not."""
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    statuses = [_login(client, name, "wrong").status_code
                for name in ["alice", "bob", "carol", "dave", "erin"] for _ in range(4)]
    assert statuses == [200] * 19 + [429]  # each pair stays under its limit of 5; the 20th locks the address
    response = _login(client, "bob", "correct horse 1")
    assert response.status_code == 429
    assert "ログインが一時的に制限されています" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert _login(HttpClient(REMOTE_ADDR="198.51.100.7"), "bob", "correct horse 1").status_code == 302


def test_logging_in_to_ones_own_account_does_not_reset_the_address_count(
        client: HttpClient, alice: User, bob: User, settings: Any) -> None:
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    for _ in range(4):
        _login(client, "alice", "wrong")
    assert _login(client, "bob", "correct horse 1").status_code == 302  # the attacker's own account
    client.logout()
    for _ in range(4):
        _login(client, "carol", "wrong")
    assert _login(client, "alice", "correct horse 1").status_code == 429


def test_password_reset_sends_a_link_through_the_queue_that_works(client: HttpClient, alice: User) -> None:
    response = client.post(reverse("password_reset"), {"email": "alice@example.jp"})
    assert response.status_code == 302
    email = OutboundEmail.objects.get(to="alice@example.jp")
    assert email.subject == "【madoguchi】パスワードの再設定"
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", email.body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "新しい-passphrase-2026", "new_password2": "新しい-passphrase-2026"})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("新しい-passphrase-2026")


def test_password_reset_does_not_reveal_unknown_addresses(client: HttpClient, db: None) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.jp"})
    assert response.status_code == 302 and not OutboundEmail.objects.exists()


def test_production_settings_hash_passwords_with_argon2() -> None:
    from madoguchi import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert make_password("correct horse 1").startswith("argon2$argon2id$")


def test_a_session_expires_after_session_cookie_age(client: HttpClient, alice: User, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(alice)
        assert client.get(reverse("cases:list")).status_code == 200
        clock.shift(dt.timedelta(seconds=3601))
        response = client.get(reverse("cases:list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_client_sets_a_password_from_the_emailed_link_and_sees_the_case(client: HttpClient, org_a: Any, sendai: Any) -> None:
    client.post(reverse("cases:intake"), {"kind": "person", "name": "山田太郎", "email": "yamada@example.jp",
                                          "municipality": "041009", "need": "創業したい", "consent": "core_only"})
    case = Case.objects.get()
    link = re.search(r"http://testserver(/cases/follow/\S+)", OutboundEmail.objects.get(to="yamada@example.jp").body)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200 and "新規受付" in page.content.decode()
    response = client.post(link.group(1), {"new_password1": "yamada-no-himitsu-77", "new_password2": "yamada-no-himitsu-77"})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert client.get(case.get_absolute_url()).status_code == 200
    assert case.client.user is not None
    case.client.user.refresh_from_db()
    assert case.client.user.check_password("yamada-no-himitsu-77")


def test_a_forged_follow_link_is_refused(client: HttpClient, case: Case) -> None:
    response = client.get(reverse("cases:follow", args=[f"{case.code}:forged"]))
    assert response.status_code == 404 and "リンクが無効です" in response.content.decode()


def test_a_client_logs_in_with_the_email_given_at_intake(client: HttpClient, org_a: Any, sendai: Any) -> None:
    client.post(reverse("cases:intake"), {"kind": "person", "name": "山田太郎", "email": "Yamada@Example.jp",
                                          "municipality": "041009", "need": "創業したい", "consent": "core_only"})
    user = Case.objects.get().client.user
    assert user is not None
    user.set_password("yamada-no-himitsu-77")
    user.save()
    client.logout()
    assert _login(client, "yamada@example.jp", "yamada-no-himitsu-77").status_code == 302
