"""`madoguchi demo`: a cast of every role with working logins, and never on production settings."""

from __future__ import annotations

import copy
import io
import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case, Referral
from madoguchi.directory.models import Membership
from madoguchi.events.models import Event
from madoguchi.matching.models import Listing


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_creates_a_cast_of_every_role_and_prints_working_logins(plan, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True  # a developer's machine; on PostgreSQL with DEBUG off the demo refuses
    out = _run()
    roles = set(Membership.objects.filter(user__username__startswith="demo-").values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    assert User.objects.filter(username="demo-client", client__isnull=False).exists()
    # Every printed login works with its printed password.
    pairs = re.findall(r"^\s+(demo-[a-z-]+)\s+(\S+)\s", out, flags=re.M)
    assert len(pairs) == 9
    for username, password in pairs:
        assert authenticate(username=username, password=password) is not None, username
    # The data each journey needs: a case to triage, a referral to answer, a listing to moderate.
    assert Case.objects.awaiting_triage().filter(client__user__username="demo-client").exists()
    assert Referral.objects.filter(status=Referral.Status.SENT, to_org__memberships__user__username="demo-staff").exists()
    assert Listing.objects.filter(status=Listing.Status.PENDING).exists()
    assert Event.objects.filter(status=Event.Status.PUBLISHED, title__contains="デモ").exists()


def test_running_it_again_resets_passwords_and_adds_nothing(plan, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True  # a developer's machine; on PostgreSQL with DEBUG off the demo refuses
    _run("--password", "first pass 1")
    counts = (User.objects.count(), Case.objects.count(), Referral.objects.count(), Listing.objects.count(), Event.objects.count())
    _run("--cast", "--password", "second pass 2")
    assert counts == (User.objects.count(), Case.objects.count(), Referral.objects.count(), Listing.objects.count(), Event.objects.count())
    assert authenticate(username="demo-coordinator", password="second pass 2") is not None


def test_the_coordinator_of_the_demo_sees_the_queues(plan, settings, client: HttpClient) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True  # a developer's machine; on PostgreSQL with DEBUG off the demo refuses
    _run("--password", "demo pass 1")
    client.force_login(User.objects.get(username="demo-coordinator"))
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert "地元の食材を使った新商品" in inbox
    assert "焼き菓子の包装工程" in client.get(reverse("matching:moderation")).content.decode()


def test_demo_refuses_production_settings(db, settings) -> None:
    settings.DEBUG = False
    databases = copy.deepcopy(settings.DATABASES)
    databases["default"]["ENGINE"] = "django.db.backends.postgresql"
    settings.DATABASES = databases
    with pytest.raises(CommandError, match="本番の設定（DEBUG が無効で、データベースが SQLite 以外）では demo を実行しません"):
        _run()
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_demo_programs_generates_todays_programs_without_the_cast(plan, settings) -> None:
    from madoguchi.catalog.models import CatalogEntry

    settings.DEBUG = True
    out = _run("--programs", "60")
    assert "60 件追加" in out
    assert CatalogEntry.objects.count() == 60
    assert not User.objects.filter(username__startswith="demo-").exists()
