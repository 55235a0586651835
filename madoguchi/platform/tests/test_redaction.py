"""redact_outbox (platform/redaction.py): the outbox's copies of mail about an anonymised record,
or to an anonymised person, are redacted; what was not sent yet about the record is cancelled."""

from __future__ import annotations

import datetime as dt

from django.db import models

from madoguchi.platform import mail
from madoguchi.platform.mail import enqueue_email
from madoguchi.platform.models import OutboundEmail
from madoguchi.platform.redaction import REDACTED, redact_outbox

S = OutboundEmail.Status


def queued(to: str, *, reference: str = "", status: str = S.QUEUED, body: str = "山田太郎 様") -> OutboundEmail:
    (row,) = enqueue_email(to, "【madoguchi】山田太郎 様へ", body, headers={"List-Unsubscribe": "<https://x/u/1>"},
                           reference=reference)
    OutboundEmail.objects.filter(pk=row.pk).update(status=status, last_error=f"550 {to} unknown" if status == S.FAILED else "")
    return OutboundEmail.objects.get(pk=row.pk)


def text_of(row: OutboundEmail) -> str:
    """Every text column of the row, joined: what a search of the table would find."""
    row.refresh_from_db()
    return " ".join(str(getattr(row, f.attname)) for f in OutboundEmail._meta.fields
                    if isinstance(f, models.CharField | models.TextField | models.JSONField))


def test_mail_about_the_record_is_redacted_whoever_it_went_to_and_unsent_mail_is_cancelled(db: None) -> None:
    sent_to_client = queued("yamada@example.jp", reference="cases.case:1", status=S.SENT)
    sent_to_staff = queued("staff@example.jp", reference="cases.case:1", status=S.SENT)
    not_yet_sent = queued("yamada@example.jp", reference="cases.case:1")
    other_case = queued("sato@example.jp", reference="cases.case:2", status=S.SENT)

    assert redact_outbox(references=["cases.case:1"]) == 3

    for row in (sent_to_client, sent_to_staff, not_yet_sent):
        assert "山田" not in text_of(row) and "yamada@" not in text_of(row)
        assert (row.to, row.subject, row.body, row.headers) == (REDACTED, REDACTED, REDACTED, {})
    assert [r.status for r in (sent_to_client, sent_to_staff, not_yet_sent)] == [S.SENT, S.SENT, S.CANCELLED]
    assert "山田太郎" in text_of(other_case)
    assert mail.claim_next() is None  # the cancelled one is never sent


def test_sent_mail_to_the_address_naming_no_record_is_redacted_but_live_mail_is_left(db: None) -> None:
    old_reset = queued("yamada@example.jp", status=S.SENT)
    bounced = queued("yamada@example.jp", status=S.FAILED)
    still_to_send = queued("yamada@example.jp")  # e.g. a digest of a subscription they still have
    about_another_record = queued("yamada@example.jp", reference="events.registration:9", status=S.SENT)

    assert redact_outbox(addresses=["yamada@example.jp", ""]) == 2

    for row in (old_reset, bounced):
        assert "山田" not in text_of(row) and "yamada@" not in text_of(row)
    assert still_to_send.status == S.QUEUED and "山田太郎" in text_of(still_to_send)
    assert "山田太郎" in text_of(about_another_record)


def test_nothing_to_look_for_changes_nothing(db: None) -> None:
    row = queued("yamada@example.jp", status=S.SENT)
    assert redact_outbox() == 0 and redact_outbox(addresses=[" "], references=[""]) == 0
    assert "山田太郎" in text_of(row)


def test_a_row_cancelled_while_a_worker_sends_it_is_not_retried(db: None) -> None:
    queued("yamada@example.jp", reference="cases.case:1")
    in_hand = mail.claim_next(dt.timedelta(minutes=5))
    assert in_hand is not None
    redact_outbox(references=["cases.case:1"])
    mail.mark_failed(in_hand, RuntimeError("connection lost"))
    row = OutboundEmail.objects.get(pk=in_hand.pk)
    assert row.status == S.CANCELLED and row.to == REDACTED
