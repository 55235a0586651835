"""What anonymisation leaves in a personal field — one marker for every app, so a report or an
export can tell a redacted row from an empty one — and the outbox's part of anonymising.

The outbox keeps a copy of every mail for MAIL_RETENTION_DAYS, and a mail to a client or a
registrant carries their name, address and what they wrote; anonymising the record must reach
those copies too. Two links find them:

- `reference`: the code that queues a mail about a record with personal data names the record
  (OutboundEmail.reference, e.g. "cases.case:12"). Every such row is redacted, whoever it went to
  (a decline reason sent to staff is the client's data too), and one not yet sent is cancelled:
  it would tell an anonymised person about a record that no longer says who they are.
- `addresses`: mail to the person's address that names no record (queued before references
  existed, or by code that sets none, such as a password reset) is redacted once it is no longer
  pending. Mail still to be sent to that address is left alone: the same person may be a current
  subscriber or registrant elsewhere, and that mail belongs to the live record. So are rows that
  name another record: they follow that record's retention.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, Q

REDACTED = "（匿名化済み）"


def reference(record: Model) -> str:
    """The outbox's name for `record`: "<app_label>.<model>:<pk>", e.g. "events.registration:5"."""
    return f"{record._meta.label_lower}:{record.pk}"


def redact_outbox(*, addresses: Iterable[str] = (), references: Iterable[str] = ()) -> int:
    """Redact the outbox rows about these records or to these people (see the module's text);
    cancel those of them not yet sent. Returns how many rows were redacted."""
    from madoguchi.platform.models import OutboundEmail

    refs = sorted({ref for ref in references if ref})
    emails = sorted({address.strip() for address in addresses if address and address.strip()})
    if not refs and not emails:
        return 0
    pending = [OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]
    about = Q(reference__in=refs)
    to_them = Q(to__in=emails, reference="") & ~Q(status__in=pending)
    rows = OutboundEmail.objects.filter(about | to_them)
    # A row "sending" is in a worker's hands: the copy in flight cannot be stopped, but mark_failed
    # leaves a cancelled row cancelled, so no retry sends it; mark_sent records that it went.
    rows.filter(status__in=pending).update(status=OutboundEmail.Status.CANCELLED)
    return rows.update(to=REDACTED, subject=REDACTED, body=REDACTED, headers={}, last_error="")
