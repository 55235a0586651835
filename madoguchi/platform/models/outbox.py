"""Outgoing email as database rows: the queue the `madoguchi worker` command drains."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_message_id() -> str:
    """A Message-ID made once, when the email is queued, and sent with every try: a retry after a
    crash between the server's acceptance and our record of it carries the same Message-ID, so
    the duplicate can be recognised (mail readers and most mailbox stores drop it)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<{uuid.uuid4().hex}.madoguchi@{domain}>"


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信失敗")
        # Never sent: its recipient was anonymised first (platform/redaction.py).
        CANCELLED = "cancelled", _("取り消し")

    to = models.EmailField(_("宛先"))
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))
    # Extra headers, e.g. List-Unsubscribe / List-Unsubscribe-Post (RFC 8058) on bulk mail.
    headers = models.JSONField(_("追加ヘッダー"), default=dict, blank=True)
    # The record the mail is about, "<app>.<model>:<pk>" (redaction.reference), given by the code
    # that queues it when the mail carries that record's personal data: anonymising the record
    # finds its mail by this, whoever it was sent to (platform/redaction.py).
    reference = models.CharField(_("対象"), max_length=100, blank=True, editable=False)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    next_attempt_at = models.DateTimeField(_("次の送信時刻"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The claim is a lease: a row "sending" past lease_until belongs to a worker that died
    # mid-send and is tried again; `claim` names the holder, so only it can mark the row sent.
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    message_id = models.CharField("Message-ID", max_length=255, unique=True, default=new_message_id, editable=False)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "cases_outboundemail"  # born in cases; the table kept its name when the model moved
        ordering = ["created", "pk"]
        verbose_name = _("送信メール")
        verbose_name_plural = _("送信メール")
        indexes = [
            # the worker's claim: status = 'queued' and next_attempt_at <= now order by id
            models.Index(fields=["status", "next_attempt_at"], name="outbound_status_next_idx"),
            # anonymisation (redaction.redact_outbox): reference in (...), and to in (...)
            models.Index(fields=["reference"], name="outbound_reference_idx"),
            models.Index(fields=["to"], name="outbound_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
