"""Alerts: mail a subscriber when a new listing matches their own listing or saved interest.

Mail goes through the platform's outbox (`enqueue_email`), so the background worker sends it
and nothing is queued unless the change that caused it commits. `Alert` rows make this
idempotent: a listing refreshed twice alerts each address once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.lib import unsubscribe as unsubscribe_links
from madoguchi.lib.addresses import deliverable
from madoguchi.matching import text
from madoguchi.matching.candidate_pool import COMPLEMENT
from madoguchi.matching.models import Alert, Listing, Match, SavedInterest

ALERT_TOP_RANK = 5  # tell an owner only when the new listing is among their best five


LISTING_ALERTS = "matching.listing_alerts"
INTEREST_ALERTS = "matching.interest"


def _describe_listing_alerts(ref: str) -> str | None:
    listing = Listing.objects.filter(uuid=ref, alerts=True).first()
    return _("掲載「%(title)s」に合う新しい候補のお知らせ") % {"title": listing.title} if listing else None


def _stop_listing_alerts(ref: str) -> None:
    Listing.objects.filter(uuid=ref).update(alerts=False)


def _describe_interest(ref: str) -> str | None:
    interest = SavedInterest.objects.filter(uuid=ref).first()
    return _("関心の登録「%(keywords)s」に合う掲載のお知らせ") % {"keywords": interest.keywords} if interest else None


def _stop_interest(ref: str) -> None:
    SavedInterest.objects.filter(uuid=ref).delete()


def register_unsubscribe() -> None:
    """Alert mails carry a one-click unsubscribe link (lib/unsubscribe.py): it turns off the listing's
    alerts, or deletes the saved interest."""
    unsubscribe_links.register(LISTING_ALERTS, _describe_listing_alerts, _stop_listing_alerts)
    unsubscribe_links.register(INTEREST_ALERTS, _describe_interest, _stop_interest)


def _send_once(new: Listing, email: str, subject: str, body: str, *, for_listing: Listing | None = None,
               for_interest: SavedInterest | None = None) -> bool:
    from madoguchi.platform.mail import enqueue_email

    to = deliverable(email)
    if not to:
        return False  # nothing can be sent, so nothing is recorded as sent
    try:
        with transaction.atomic():
            Alert.objects.create(new_listing=new, email=email, for_listing=for_listing, for_interest=for_interest)
    except IntegrityError:
        return False
    if for_listing is not None:
        stop = unsubscribe_links.headers(LISTING_ALERTS, str(for_listing.uuid))
    else:
        assert for_interest is not None  # every alert is for a listing or for an interest
        stop = unsubscribe_links.headers(INTEREST_ALERTS, str(for_interest.uuid))
    enqueue_email(to, subject, body, headers=stop)
    return True


def interest_matches(interest: SavedInterest, listing: Listing) -> bool:
    """Whether a listing is of the wanted kind and shares the interest's field or a keyword's terms."""
    if listing.kind != interest.kind:
        return False
    if interest.field_id and listing.fields.filter(pk=interest.field_id).exists():
        return True
    wanted = set(text.analyze(interest.keywords))
    return bool(wanted & set(listing.terms.split()))


def alert_for_new_listing(listing: Listing) -> int:
    """Queue mails about `listing` (now live) to owners it suits and to matching interests; returns how many."""
    if not listing.is_live:
        return 0
    sent = 0
    url = settings.SITE_URL + listing.get_absolute_url()
    subject = _("【madoguchi】新しい候補: %(title)s") % {"title": listing.title}
    # owners whose listing now has this one among its best suggestions
    for match in Match.objects.filter(candidate=listing, rank__lte=ALERT_TOP_RANK).select_related("listing"):
        own = match.listing
        if not (own.alerts and own.contact_email and own.is_live):
            continue
        body = render_to_string("matching/email/new_candidate.txt", {
            "own": own, "new": listing, "reasons": match.reasons, "url": url,
            "own_url": settings.SITE_URL + own.get_absolute_url(),
            "unsubscribe_url": unsubscribe_links.url(LISTING_ALERTS, str(own.uuid))})
        sent += _send_once(listing, own.contact_email, subject, body, for_listing=own)
    for interest in SavedInterest.objects.filter(kind=listing.kind):
        if interest_matches(interest, listing):
            body = render_to_string("matching/email/new_for_interest.txt", {
                "interest": interest, "new": listing, "url": url,
                "unsubscribe_url": unsubscribe_links.url(INTEREST_ALERTS, str(interest.uuid))})
            sent += _send_once(listing, interest.email, subject, body, for_interest=interest)
    return sent


RENEWAL_NOTICE_DAYS = 14


def send_renewal_reminders(today: dt.date | None = None) -> int:
    """Tell owners whose listing expires within two weeks that they can renew it; once per period."""
    from madoguchi.platform.mail import enqueue_email

    today = today or timezone.localdate()
    due = Listing.objects.live(today).filter(
        expires_on__lte=today + dt.timedelta(days=RENEWAL_NOTICE_DAYS), reminder_sent_on__isnull=True
    ).exclude(contact_email="")
    n = 0
    for listing in due:
        to = deliverable(listing.contact_email)
        if not to:
            continue
        # claim with a filtered update first: a concurrent run cannot remind twice
        if Listing.objects.filter(pk=listing.pk, reminder_sent_on__isnull=True).update(reminder_sent_on=today) != 1:
            continue
        body = render_to_string("matching/email/renewal.txt", {
            "listing": listing, "url": settings.SITE_URL + listing.get_absolute_url()})
        enqueue_email(to, _("【madoguchi】掲載期限のお知らせ: %(t)s") % {"t": listing.title}, body)
        n += 1
    return n


def complementary_kinds(kind: str) -> tuple[str, ...]:
    return COMPLEMENT[kind]
