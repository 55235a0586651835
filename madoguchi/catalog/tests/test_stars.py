"""Starred programs: a reminder 7 days before the call closes, once per round, by account or by
email after confirming; one-click unsubscribe stops it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from madoguchi.catalog.models import CallRound, CatalogEntry, ProgramType, Source, Star
from madoguchi.catalog.stars import send_deadline_reminders
from madoguchi.catalog.tests.conftest import SITE
from madoguchi.directory.models import Organization, Program
from madoguchi.platform.mail import send_all
from madoguchi.platform.models import OutboundEmail

TOKYO = ZoneInfo("Asia/Tokyo")
CLOSES = dt.datetime(2026, 7, 31, 17, 0, tzinfo=TOKYO)


@pytest.fixture
def program(db: None) -> Program:
    org = Organization.objects.create(slug="miyagi", name="宮城県", kind=Organization.Kind.PARTNER)
    source = Source.objects.create(slug="csv", name="宮城県CSV")
    program = Program.objects.create(slug="equip", organization=org, name="設備投資補助金")
    entry = CatalogEntry.objects.create(program=program, source=source, external_id="E1", type=ProgramType.SUBSIDY)
    CallRound.objects.create(entry=entry, opens_at=CLOSES - dt.timedelta(days=60), closes_at=CLOSES)
    return program


def _run(when: dt.datetime) -> int:
    with time_machine.travel(when, tick=False):
        return send_deadline_reminders()


def _form_token(page: Any) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_a_starred_program_is_reminded_7_days_before_it_closes_once(program: Program, smtp_server: Any) -> None:
    user = User.objects.create_user("taro", "taro@example.jp", "pw")
    client = Client()
    client.force_login(user)
    with time_machine.travel(CLOSES - dt.timedelta(days=30), tick=False):
        assert "お気に入りに登録" in client.get("/programs/equip/").content.decode()
        client.post("/programs/equip/star/")
    assert Star.objects.active().get().user == user
    assert "設備投資補助金" in client.get("/alerts/").content.decode()

    assert _run(CLOSES - dt.timedelta(days=8)) == 0  # 8 days before: not yet
    assert _run(CLOSES - dt.timedelta(days=7)) == 1
    assert _run(CLOSES - dt.timedelta(days=6)) == 0  # once per round
    send_all()
    (mail,) = smtp_server.messages
    assert mail["To"] == "taro@example.jp" and "締切まであと 7 日: 設備投資補助金" in mail["Subject"]
    assert "2026年07月31日 17:00" in mail.get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A next round of the same program is reminded again.
    next_close = CLOSES + dt.timedelta(days=120)
    CallRound.objects.create(entry=program.catalog, opens_at=next_close - dt.timedelta(days=30), closes_at=next_close)
    assert _run(next_close - dt.timedelta(days=7)) == 1


def test_by_email_the_reminder_waits_for_the_confirmation(program: Program) -> None:
    client = Client(enforce_csrf_checks=True)
    start = CLOSES - dt.timedelta(days=20)
    with time_machine.travel(start, tick=False):
        page = client.get("/programs/equip/")
        response = client.post("/programs/equip/star/", {"email": "hanako@example.jp",
                                                          "csrfmiddlewaretoken": _form_token(page)})
        assert "hanako@example.jp にメールを送りました" in response.content.decode()
    assert _run(CLOSES - dt.timedelta(days=7)) == 0  # not confirmed: nothing
    body = OutboundEmail.objects.get().body
    match = re.search(rf"{re.escape(SITE)}(/alerts/confirm/\S+/)", body)
    assert match, body
    path = match.group(1)
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        page = client.get(path)
        client.post(path, {"csrfmiddlewaretoken": _form_token(page)})
    assert _run(CLOSES - dt.timedelta(days=6)) == 1  # caught up: a day late is still before the deadline

    header = OutboundEmail.objects.latest("pk").headers["List-Unsubscribe"]
    match = re.fullmatch(rf"<{re.escape(SITE)}(/unsubscribe/[^>]+/)>", header)
    assert match, header
    unsubscribe = match.group(1)
    assert Client(enforce_csrf_checks=True).post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Star.objects.active().exists()
