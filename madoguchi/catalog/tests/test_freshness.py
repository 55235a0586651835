"""remind-stale: each institution's writers get their 要確認 programs once a week, with a signed
「内容に変更なし」 link that sets the verified date; a tampered or expired link is refused."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from madoguchi.catalog.models import CallRound, CatalogEntry, ProgramType, Source, StaleReminder
from madoguchi.catalog.tests.conftest import SITE
from madoguchi.directory.models import Membership, Organization, Program
from madoguchi.platform.mail import send_all
from madoguchi.platform.models import OutboundEmail

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = dt.datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)


def _program(org: Organization, slug: str, verified: dt.date | None, closes: dt.datetime | None = None) -> Program:
    source, _ = Source.objects.get_or_create(slug="csv", defaults={"name": "宮城県CSV"})
    program = Program.objects.create(slug=slug, organization=org, name=f"制度 {slug}", verified_at=verified,
                                     as_of=dt.date(2025, 1, 1))
    entry = CatalogEntry.objects.create(program=program, source=source, external_id=slug, type=ProgramType.SUBSIDY)
    if closes:
        CallRound.objects.create(entry=entry, opens_at=closes - dt.timedelta(days=30), closes_at=closes)
    return program


def _member(org: Organization, name: str, role: str) -> User:
    user = User.objects.create_user(username=name, email=f"{name}@example.jp", password="x")
    Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def org(db: None) -> Organization:
    org = Organization.objects.create(slug="sendai", name="仙台市産業振興事業団", kind=Organization.Kind.SUPPORT)
    _member(org, "staff", Membership.Role.STAFF)
    _member(org, "reader", Membership.Role.READONLY)
    return org


@pytest.fixture
def old(org: Organization) -> Program:
    return _program(org, "old", dt.date(2025, 10, 1))  # 243 days before MONDAY: past 180


def _remind(when: dt.datetime = MONDAY) -> None:
    with time_machine.travel(when, tick=False):
        call_command("remind_stale", stdout=StringIO())


def _link(body: str, slug: str) -> str:
    block = body.split(f"■ 制度 {slug}")[1].split("■")[0]
    match = re.search(rf"内容に変更なし: {re.escape(SITE)}(/programs/verify/\S+/)", block)
    assert match, block
    return match.group(1)


def test_the_writers_get_the_stale_programs_with_a_link_and_readers_do_not(org: Organization, old: Program,
                                                                            smtp_server: Any) -> None:
    fresh = _program(org, "fresh", dt.date(2026, 5, 1))
    closed = _program(org, "closed", dt.date(2026, 5, 1), closes=MONDAY - dt.timedelta(days=3))
    _remind()
    send_all()

    (message,) = smtp_server.messages
    assert message["To"] == "staff@example.jp"  # not the read-only member
    assert "要確認の制度が 2 件" in message["Subject"]
    body = message.get_content()
    assert "仙台市産業振興事業団 ご担当者さま" in body
    assert f"■ {old.name}" in body and f"■ {closed.name}" in body and f"■ {fresh.name}" not in body
    assert "最後の確認から180日以上たっています。" in body
    _link(body, "old")
    # A closed call is not fixed by a new verified date: no link, what to do instead.
    closed_block = body.split(f"■ {closed.name}")[1].split("■")[0]
    assert "/programs/verify/" not in closed_block and "次の公募回を登録するか" in closed_block


def test_a_second_run_in_the_same_week_sends_nothing_and_next_week_again(org: Organization, old: Program) -> None:
    _remind()
    _remind(MONDAY + dt.timedelta(days=4))
    assert OutboundEmail.objects.count() == 1 and StaleReminder.objects.get().program_count == 1
    _remind(MONDAY + dt.timedelta(days=7))
    assert OutboundEmail.objects.count() == 2


def test_the_link_shows_a_button_and_the_post_sets_the_verified_date(org: Organization, old: Program) -> None:
    _remind()
    path = _link(OutboundEmail.objects.get().body, "old")
    client = Client(enforce_csrf_checks=True)
    later = MONDAY + dt.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        page = client.get(path)
        assert page.status_code == 200 and "内容に変更なし" in page.content.decode()
        old.refresh_from_db()
        assert old.verified_at == dt.date(2025, 10, 1)  # a mail scanner's GET changes nothing
        # The page's own form: its CSRF token (the client keeps the cookie the GET set).
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert match, "no CSRF token on the page"
        form_token = match.group(1)
        done = client.post(path, {"csrfmiddlewaretoken": form_token})
    assert done.status_code == 200 and "確認日を 2026年6月3日 にしました" in done.content.decode()
    old.refresh_from_db()
    assert old.verified_at == dt.date(2026, 6, 3)
    assert not CatalogEntry.objects.stale(dt.date(2026, 6, 8)).exists()
    _remind(MONDAY + dt.timedelta(days=7))
    assert OutboundEmail.objects.count() == 1  # nothing stale next week: no reminder


def test_a_tampered_link_is_refused_with_a_clear_message(org: Organization, old: Program) -> None:
    _remind()
    path = _link(OutboundEmail.objects.get().body, "old")
    token = path.split("/")[-2]
    tampered = path.replace(token, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    for method in ("get", "post"):
        response = getattr(Client(), method)(tampered)
        assert response.status_code == 400
        assert "このリンクは正しくありません" in response.content.decode()
    old.refresh_from_db()
    assert old.verified_at == dt.date(2025, 10, 1)


def test_a_link_older_than_30_days_is_refused(org: Organization, old: Program) -> None:
    _remind()
    path = _link(OutboundEmail.objects.get().body, "old")
    with time_machine.travel(MONDAY + dt.timedelta(days=31), tick=False):
        response = Client().get(path)
    assert response.status_code == 400 and "有効期限（30日）が切れています" in response.content.decode()
