"""Email leaves through the queue and a real SMTP server (aiosmtpd on localhost)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core.management import call_command
from django.utils import timezone

from madoguchi.cases.models import Case
from madoguchi.platform import mail
from madoguchi.platform.mail import enqueue_email, send_one
from madoguchi.platform.models import OutboundEmail


def test_a_queued_email_reaches_the_smtp_server_with_its_japanese_subject(smtp_server: Any, db: None) -> None:
    enqueue_email("yamada@example.jp", "【madoguchi】ご相談を受け付けました", "山田様\n受付番号: 1234\n")
    assert smtp_server.envelopes == []  # nothing leaves before the worker runs

    assert send_one() is True
    assert send_one() is False  # nothing left

    (message,) = smtp_server.messages
    assert message["To"] == "yamada@example.jp"
    # RFC 2047 encoded (the raw bytes are ASCII); a long encoded word is folded onto its own
    # line, which unfolds to one leading space that mail readers drop.
    headers = smtp_server.envelopes[0].original_content.split(b"\r\n\r\n")[0]
    assert headers.isascii() and b"=?utf-8?b?" in headers
    assert message["Subject"].strip() == "【madoguchi】ご相談を受け付けました"
    assert "受付番号: 1234" in message.get_content()
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 1 and row.sent_at is not None


def test_the_worker_command_sends_everything_due(smtp_server: Any, db: None) -> None:
    enqueue_email(["a@example.jp", "b@example.jp", "a@example.jp"], "【madoguchi】お知らせ", "本文")
    call_command("worker")  # one pass: flag overdue referrals, send what is due
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.jp", "b@example.jp"]
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()


def test_the_receiving_institution_gets_the_referral_email(smtp_server: Any, case: Case, alice: Any, bob: Any, org_b: Any) -> None:
    case.refer(by=alice, to_org=org_b, message="設備資金のご相談です")
    mail.send_all()
    (message,) = smtp_server.messages
    assert message["To"] == bob.email
    assert message["Subject"].strip() == f"【madoguchi】相談の紹介が届きました（{case.short_code}）"
    assert f"http://testserver/cases/{case.code}/" in message.get_content()


def test_a_failing_server_is_retried_with_backoff_then_given_up(settings: Any, db: None) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens on the discard port here
    settings.EMAIL_TIMEOUT = 2
    enqueue_email("yamada@example.jp", "件名", "本文")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert send_one() is True
        row = OutboundEmail.objects.get()
        assert row.status == OutboundEmail.Status.QUEUED and row.attempts == 1 and row.last_error
        assert row.next_attempt_at == start + dt.timedelta(minutes=1)
        assert send_one() is False  # not due yet
        for _ in range(mail.MAX_ATTEMPTS - 1):
            clock.shift(dt.timedelta(hours=1))
            send_one()
        row.refresh_from_db()
        assert row.status == OutboundEmail.Status.FAILED and row.attempts == mail.MAX_ATTEMPTS


def test_a_row_claimed_by_another_worker_is_not_sent_twice(smtp_server: Any, db: None) -> None:
    (row,) = enqueue_email("yamada@example.jp", "件名", "本文")
    OutboundEmail.objects.filter(pk=row.pk).update(status=OutboundEmail.Status.SENDING, claimed_at=timezone.now())
    assert send_one() is False
    assert smtp_server.envelopes == []


def test_a_subject_cannot_smuggle_headers(db: None) -> None:
    (row,) = enqueue_email("a@example.jp", "件名\r\nBcc: evil@example.com", "本文")
    assert "\n" not in row.subject and "\r" not in row.subject


def test_a_hung_mail_server_does_not_hold_the_worker(settings: Any, db: None) -> None:
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never says hello
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    enqueue_email("yamada@example.jp", "件名", "本文")
    started = time.monotonic()
    try:
        assert send_one() is True
    finally:
        silent.close()
    assert time.monotonic() - started < 10
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.QUEUED and "timed out" in row.last_error


def test_only_staff_who_can_act_are_emailed_to_act(org_b: Any, bob: Any, dora: Any) -> None:
    from madoguchi.cases.tests.conftest import _user
    from madoguchi.directory.models import Membership
    from madoguchi.directory.recipients import Purpose, staff_addresses

    _user("pia", org_b, Membership.Role.PREFECTURE)  # reads the reports, acts on nothing

    assert staff_addresses(org_b, Purpose.REFERRAL_RECEIVED) == ["bob@example.jp"]


def test_a_retry_carries_the_message_id_the_email_was_queued_with(smtp_server: Any, db: None) -> None:
    (row,) = enqueue_email("yamada@example.jp", "件名", "本文")
    other = enqueue_email("sato@example.jp", "件名", "本文")[0]
    assert row.message_id.startswith("<") and row.message_id != other.message_id
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        # A worker claims the row and dies before recording anything: the row waits out its lease.
        claimed = mail.claim_next()
        assert claimed is not None and claimed.pk == row.pk
        following = mail.claim_next()
        assert following is not None and following.pk == other.pk  # the next worker takes the next row, not this one
        OutboundEmail.objects.filter(pk=other.pk).update(status=OutboundEmail.Status.SENT)
        assert send_one() is False
        clock.shift(mail.lease() + dt.timedelta(seconds=1))
        assert send_one() is True  # the lease is over: sent again, with the same Message-ID
    (message,) = smtp_server.messages
    assert message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 2 and row.lease_until is None


def test_a_worker_that_outlived_its_lease_cannot_mark_the_new_holders_row(db: None) -> None:
    enqueue_email("yamada@example.jp", "件名", "本文")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        late = mail.claim_next()
        assert late is not None
        clock.shift(mail.lease() + dt.timedelta(seconds=1))
        current = mail.claim_next()
        assert current is not None and current.claim != late.claim
        mail.mark_sent(late)  # its send finished after the lease: the row stays the new holder's
        row = OutboundEmail.objects.get()
        assert row.status == OutboundEmail.Status.SENDING and row.claim == current.claim
        mail.mark_sent(current)
        assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
