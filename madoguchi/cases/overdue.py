"""Flag referrals nobody answered within REFERRAL_ANSWER_DAYS business days, and tell people."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from madoguchi.cases import notify
from madoguchi.cases.business_days import add_business_days
from madoguchi.cases.models import Referral


def is_overdue(referral: Referral, business_days: int) -> bool:
    """True when today (Japan time) is past the referral's answer deadline."""
    sent_on = timezone.localdate(referral.created)
    return timezone.localdate() > add_business_days(sent_on, business_days)


def flag_overdue(business_days: int | None = None) -> int:
    """Flag and notify each unanswered referral past its deadline once; returns how many."""
    days = settings.REFERRAL_ANSWER_DAYS if business_days is None else business_days
    flagged = 0
    candidates = Referral.objects.filter(status=Referral.Status.SENT, overdue_flagged_at__isnull=True).select_related(
        "case", "from_org", "to_org")
    for referral in candidates.iterator():
        if not is_overdue(referral, days):
            continue
        with transaction.atomic():
            # Filtered on "not yet flagged" so two workers never email twice for one referral.
            if Referral.objects.filter(pk=referral.pk, overdue_flagged_at__isnull=True,
                                       status=Referral.Status.SENT).update(overdue_flagged_at=timezone.now()) != 1:
                continue
            notify.referral_overdue(referral, days)
        flagged += 1
    return flagged
