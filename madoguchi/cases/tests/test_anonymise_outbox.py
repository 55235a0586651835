"""Anonymising a case reaches the outbox: no copy of a mail keeps the client's name or address."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from madoguchi.cases import notify
from madoguchi.cases.models import Referral
from madoguchi.platform import mail
from madoguchi.platform.mail import enqueue_email
from madoguchi.platform.models import OutboundEmail


def outbox_text() -> list[str]:
    """Every text column of every outbox row."""
    columns = [f.attname for f in OutboundEmail._meta.fields
               if isinstance(f, models.CharField | models.TextField | models.JSONField)]
    return [" ".join(str(value) for value in row) for row in OutboundEmail.objects.values_list(*columns)]


def test_after_anonymising_no_outbox_row_names_the_client_or_their_address(
    referral: Referral, alice: User, bob: User, cora: User,
) -> None:
    case = referral.case
    notify.consultation_received(case)  # to the client: their name, and to the coordinator
    referral.decline(by=bob, expected_version=1, reason="山田様の事業は対象外です")  # staff get the reason
    enqueue_email("yamada@example.jp", "パスワードの再設定", "山田太郎 様のアカウント")  # names no record
    assert mail.send_all() >= 4
    notify.consultation_received(case)  # one more, still queued when the case is anonymised
    assert any("山田" in text for text in outbox_text())
    with time_machine.travel(timezone.now() - dt.timedelta(days=400), tick=False):
        case.close(by=alice, outcome="founded")

    call_command("anonymise_cases", "--older-than", "365")

    for text in outbox_text():
        assert "山田" not in text and "yamada@example.jp" not in text
    cancelled = OutboundEmail.objects.filter(status=OutboundEmail.Status.CANCELLED)
    assert cancelled.count() == 1  # the unsent confirmation (the coordinator's copy names nobody)
    assert mail.send_all() == 1  # only the coordinator's notice of the second confirmation is left to send
