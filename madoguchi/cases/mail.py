"""Email goes through the database: `enqueue_email` writes a row in the caller's transaction,
and the `madoguchi worker` command sends it. A slow or absent mail server never blocks a page,
and an email is queued only if the change that caused it was committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from madoguchi.cases.models import OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A row left "sending" this long belongs to a worker that died mid-send: try it again.
STALE_CLAIM = dt.timedelta(minutes=10)


def enqueue_email(to: str | Iterable[str], subject: str, body: str,
                  headers: Mapping[str, str] | None = None) -> list[OutboundEmail]:
    """Queue one email per distinct, non-empty recipient; returns the rows.

    `headers` are added to the message as given (bulk mail's List-Unsubscribe, see lib/unsubscribe.py).
    """
    recipients = [to] if isinstance(to, str) else list(to)
    unique = list(dict.fromkeys(address.strip() for address in recipients if address and address.strip()))
    # Header injection is refused by EmailMessage too; collapse newlines so it never gets that far.
    clean_subject = " ".join(str(subject).split())[:200]
    extra = {name: " ".join(str(value).split()) for name, value in (headers or {}).items()}
    return [OutboundEmail.objects.create(to=address, subject=clean_subject, body=str(body), headers=extra)
            for address in unique]


def backoff(attempts: int) -> dt.timedelta:
    """Wait 1, 2, 4, 8, 16 minutes between tries."""
    return dt.timedelta(minutes=2 ** max(attempts - 1, 0))


def _claim_next() -> OutboundEmail | None:
    now = timezone.now()
    ready = Q(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    for pk, status in OutboundEmail.objects.filter(ready).order_by("next_attempt_at", "pk").values_list("pk", "status")[:5]:
        # Two workers may pick the same row; the filtered update lets exactly one of them have it.
        claimed = OutboundEmail.objects.filter(pk=pk, status=status).filter(ready).update(
            status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if claimed == 1:
            return OutboundEmail.objects.get(pk=pk)
    return None


def send_one() -> bool:
    """Send the next due email; returns False when there was nothing to send."""
    email = _claim_next()
    if email is None:
        return False
    try:
        EmailMessage(subject=email.subject, body=email.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to],
                     headers=email.headers or None).send()
    except Exception as exc:  # the SMTP library raises many kinds; all of them mean "try later"
        log.warning("email %s to %s failed (attempt %s): %s", email.pk, email.to, email.attempts, exc)
        failed = email.attempts >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.FAILED if failed else OutboundEmail.Status.QUEUED,
            next_attempt_at=timezone.now() + backoff(email.attempts),
            last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        return True
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def send_all(limit: int = 100) -> int:
    """Send up to `limit` due emails; returns how many rows were processed."""
    count = 0
    while count < limit and send_one():
        count += 1
    return count
