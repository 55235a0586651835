"""Email goes through the database: `enqueue_email` writes a row in the caller's transaction,
and the `madoguchi worker` command sends it. A slow or absent mail server never blocks a page,
and an email is queued only if the change that caused it was committed.

Delivery is at-least-once, with duplicates recognisable by Message-ID. A worker claims one row
with a lease, sends it with the Message-ID the row was given when queued, and marks it sent
right after the server's 250, in its own short statement. The row is lost by nobody: a worker
that dies before that mark leaves the row "sending" until its lease ends, and the next worker
sends it again. SMTP offers nothing better: a crash between the server's acceptance of DATA and
our commit cannot be told apart from a crash just before it, so that retry may be a second copy
of a message already delivered, with the same Message-ID (mail readers and mailbox stores drop
it). The window is one reply and one UPDATE long. Should the database fail at that moment, the
worker keeps the mark in memory and writes it as soon as the database is back, before it claims
anything else, so a database restart causes no duplicate; only the death of the worker process
inside that window does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F, Q
from django.utils import timezone

from madoguchi.platform.models import OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def lease() -> dt.timedelta:
    """How long a claim holds. A send is a handful of SMTP exchanges each bounded by
    EMAIL_TIMEOUT; ten of them is well past the slowest send that still ends in success."""
    return dt.timedelta(seconds=10 * max(int(settings.EMAIL_TIMEOUT or 30), 1))


def enqueue_email(to: str | Iterable[str], subject: str, body: str,
                  headers: Mapping[str, str] | None = None, *, reference: str = "") -> list[OutboundEmail]:
    """Queue one email per distinct, non-empty recipient; returns the rows.

    `headers` are added to the message as given (bulk mail's List-Unsubscribe, see lib/unsubscribe.py).
    `reference` names the record whose personal data the mail carries (`redaction.reference(case)`),
    so anonymising that record redacts the mail too (redaction.redact_outbox).
    """
    recipients = [to] if isinstance(to, str) else list(to)
    unique = list(dict.fromkeys(address.strip() for address in recipients if address and address.strip()))
    # Header injection is refused by EmailMessage too; collapse newlines so it never gets that far.
    clean_subject = " ".join(str(subject).split())[:200]
    extra = {name: " ".join(str(value).split()) for name, value in (headers or {}).items()}
    return [OutboundEmail.objects.create(to=address, subject=clean_subject, body=str(body), headers=extra,
                                         reference=reference)
            for address in unique]


def backoff(attempts: int) -> dt.timedelta:
    """Wait 1, 2, 4, 8, 16 minutes between tries."""
    return dt.timedelta(minutes=2 ** max(attempts - 1, 0))


def _ready(now: dt.datetime) -> Q:
    return Q(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboundEmail.Status.SENDING, lease_until__lt=now
    )


def claim_next(hold: dt.timedelta | None = None) -> OutboundEmail | None:
    """Claim the next due row for `hold` (default: `lease()`), or None when nothing is due."""
    now = timezone.now()
    token = uuid.uuid4().hex
    candidates = OutboundEmail.objects.filter(_ready(now)).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:5]
    for pk in candidates:
        # Two workers may pick the same row; the filtered update lets exactly one of them have it.
        claimed = OutboundEmail.objects.filter(_ready(now), pk=pk).update(
            status=OutboundEmail.Status.SENDING, claimed_at=now, lease_until=now + (hold or lease()), claim=token,
            attempts=F("attempts") + 1,
        )
        if claimed == 1:
            return OutboundEmail.objects.get(pk=pk)
    return None


def as_message(email: OutboundEmail) -> EmailMessage:
    return EmailMessage(subject=email.subject, body=email.body, from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[email.to], headers={**(email.headers or {}), "Message-ID": email.message_id})


def mark_sent(email: OutboundEmail) -> None:
    """Record the server's acceptance; only the claim's holder may (another worker took the row
    over if this one outlived its lease, and will send its own copy with the same Message-ID)."""
    marked = OutboundEmail.objects.filter(pk=email.pk, claim=email.claim).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    if not marked:
        log.warning("email %s %s was sent after its lease ended and another worker has taken it over; "
                    "the recipient may get it twice (same Message-ID)", email.pk, email.message_id)


def mark_failed(email: OutboundEmail, exc: Exception) -> None:
    log.warning("email %s to %s failed (attempt %s): %s", email.pk, email.to, email.attempts, exc)
    failed = email.attempts >= MAX_ATTEMPTS
    # status: a row cancelled meanwhile (its recipient anonymised) stays cancelled, not retried.
    OutboundEmail.objects.filter(pk=email.pk, claim=email.claim, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.FAILED if failed else OutboundEmail.Status.QUEUED,
        next_attempt_at=timezone.now() + backoff(email.attempts), lease_until=None,
        last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
    )


class Sender:
    """Sends the queue one row at a time over one SMTP connection kept open while there is work.

    A database error propagates to the caller (the worker reconnects and calls again); a mark
    "sent" that could not be written is kept and written first on the next call.
    """

    def __init__(self, hold: dt.timedelta | None = None) -> None:
        self.hold = hold
        self.connection: BaseEmailBackend | None = None
        self.unmarked: OutboundEmail | None = None

    def send_next(self) -> bool:
        """Send the next due email; returns False when there was nothing to send."""
        if self.unmarked is not None:
            mark_sent(self.unmarked)
            self.unmarked = None
        email = claim_next(self.hold)
        if email is None:
            self.close()  # idle: a server would drop the connection anyway
            return False
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            if self.connection.send_messages([as_message(email)]) != 1:
                raise RuntimeError("the mail backend sent nothing")
        except Exception as exc:  # the SMTP library raises many kinds; all of them mean "try later"
            self.close()
            mark_failed(email, exc)
            return True
        # Accepted (the server's 250 after DATA): record it at once, before anything else.
        self.unmarked = email
        mark_sent(email)
        self.unmarked = None
        return True

    def close(self) -> None:
        if self.connection is not None:
            # Closing a connection the server already dropped may raise anything the backend
            # raises; the worker is stopping or reconnecting either way.
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None


def send_one() -> bool:
    """Send the next due email over a connection of its own; False when there was nothing to send."""
    sender = Sender()
    try:
        return sender.send_next()
    finally:
        sender.close()


def send_all(limit: int = 100) -> int:
    """Send up to `limit` due emails; returns how many rows were processed."""
    sender = Sender()
    count = 0
    try:
        while count < limit and sender.send_next():
            count += 1
    finally:
        sender.close()
    return count
