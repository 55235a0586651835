"""Anonymising closed cases after the retention period, keeping what statistics need.

Kept: municipality, stage, functions, consent scope, outcome, dates, referral statuses and
the institutions involved. Blanked: the consultation text, timeline text and documents,
referral messages and reasons, the audit history's copies of them, the outbox's copies of the
mail about the case (platform/redaction.py: by the reference notify gives it, whoever it went to;
what was not sent yet is cancelled) and — once all of a client's cases are anonymised — the
client's name, numbers and contact details and account, and the sent mail to their address.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from madoguchi.cases.models import Activity, Case, Client, Referral
from madoguchi.platform.redaction import REDACTED, redact_outbox, reference


def anonymisable(older_than_days: int) -> QuerySet[Case]:
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    return Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True)


@transaction.atomic
def anonymise_case(case: Case) -> None:
    now = timezone.now()
    for activity in case.activities.exclude(attachment=""):
        activity.attachment.delete(save=False)
    Activity.objects.filter(case=case)._anonymise()
    Referral.objects.filter(case=case).update(message="", reason="")
    Referral.history.filter(case_id=case.pk).update(message="", reason="")
    Case.history.filter(id=case.pk).update(need=REDACTED)
    redact_outbox(references=[reference(case)])
    case.need = REDACTED
    case.anonymised_at = now
    case.save(update_fields=["need", "anonymised_at"])
    client = case.client
    if not client.cases.filter(anonymised_at__isnull=True).exists():
        _anonymise_client(client, now)


def _anonymise_client(client: Client, now: dt.datetime) -> None:
    user = client.user
    own_account = user is not None and not hasattr(user, "membership")  # not a staff member's account
    redact_outbox(addresses=[client.email] + ([user.email] if own_account and user is not None else []))
    Client.objects.filter(pk=client.pk).update(
        name="", corporate_number="", contact_name="", email="", phone="", user=None, anonymised_at=now
    )
    if own_account and user is not None:
        user.delete()


def anonymise_closed_cases(older_than_days: int) -> int:
    """Anonymise every closed case closed more than `older_than_days` ago; returns how many."""
    count = 0
    for case in anonymisable(older_than_days).select_related("client"):
        anonymise_case(case)
        count += 1
    return count
