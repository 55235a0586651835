"""What people do with listings: moderate, give feedback, ask for and broker introductions.

Pages and the API call these same functions; each checks its own rule and raises
PermissionDenied or ValidationError with a Japanese message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.matching import access
from madoguchi.matching.candidate_pool import COMPLEMENT
from madoguchi.matching.models import Feedback, Introduction, Listing
from madoguchi.matching.rules import visible_listings


def moderate(listing: Listing, *, by: Any, action: str, seen: str | None = None) -> Listing:
    """A coordinator publishes or rejects a listing; returns it as saved.

    `seen` is the version the coordinator looked at (the listing's `updated` time, ISO 8601): an
    owner may edit again between the look and the click, and approving must not publish text
    nobody reviewed. The row is locked so the check and the change see the same version.
    """
    if not access.may(by, "matching.may_moderate"):
        raise PermissionDenied(_("掲載の承認はコーディネーターが行います。"))
    if action not in ("publish", "reject"):
        raise ValidationError(_("操作は「公開」か「差し戻し」を選んでください。"))
    with transaction.atomic():
        current = Listing.objects.select_for_update().get(pk=listing.pk)
        if seen is not None and not _is_version(seen, current):
            raise ValidationError(_("この掲載は表示したあとに変更されました。いまの内容を確認してから、もう一度操作してください。"))
        if action == "publish":
            current.publish(by)
        else:
            current.reject(by)
    return current


def _is_version(seen: str, listing: Listing) -> bool:
    try:
        return dt.datetime.fromisoformat(seen) == listing.updated
    except ValueError:
        return False


def _check_pair(listing: Listing, candidate: Listing) -> None:
    if candidate.kind not in COMPLEMENT[listing.kind]:
        raise ValidationError(_("「%(a)s」と「%(b)s」は組み合わせられない種別です。") % {
            "a": listing.get_kind_display(), "b": candidate.get_kind_display()})


def give_feedback(listing: Listing, candidate: Listing, *, by: Any, reason: str, comment: str = "") -> Feedback:
    """Record why a suggestion does not fit; idempotent per (pair, reason). Refreshes the listing."""
    if not access.may(by, "matching.may_change_listing", listing):
        raise PermissionDenied(_("この掲載の候補に意見を送れるのは掲載者とコーディネーターです。"))
    if reason not in Feedback.Reason.values:
        raise ValidationError(_("合わない理由を「分野」「段階」「地域」「条件」から選んでください。"))
    _check_pair(listing, candidate)
    fb, _created = Feedback.objects.get_or_create(
        listing=listing, candidate=candidate, reason=reason, defaults={"by": by, "comment": comment[:300]}
    )
    from madoguchi.matching import matches

    matches.refresh(listing)
    return fb


def request_introduction(listing: Listing, candidate: Listing, *, by: Any, message: str = "") -> Introduction:
    """The listing's side asks to be introduced to the candidate; asking is that side's consent.

    A retry returns the open request instead of making a second one.
    """
    if not access.may(by, "matching.may_change_listing", listing):
        raise PermissionDenied(_("紹介を依頼できるのは掲載者とコーディネーターです。"))
    _check_pair(listing, candidate)
    if not candidate.is_live:
        raise ValidationError(_("相手の掲載は公開されていないか、期限が切れています。"))
    open_ = Introduction.objects.exclude(status=Introduction.Status.DECLINED)
    existing = open_.filter(listing=listing, candidate=candidate).first() or open_.filter(
        listing=candidate, candidate=listing).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Introduction.objects.create(
                listing=listing, candidate=candidate, requested_by=by, message=message.strip()[:2000],
                listing_consent_at=timezone.now(),
            )
    except IntegrityError:  # a concurrent retry won the race
        return Introduction.objects.get(listing=listing, candidate=candidate, status__in=[
            Introduction.Status.REQUESTED, Introduction.Status.APPROVED, Introduction.Status.CONSENTED])


def approve(intro: Introduction, *, by: Any) -> None:
    if not access.may(by, "matching.may_approve_introduction", intro):
        raise PermissionDenied(_("紹介の承認はコーディネーターが行います。"))
    if intro.status != Introduction.Status.REQUESTED:
        raise ValidationError(_("この紹介はすでに「%(s)s」です。") % {"s": intro.get_status_display()})
    intro.status = Introduction.Status.APPROVED
    intro.approved_by = by
    intro.save()
    _maybe_complete(intro, by)


def decline(intro: Introduction, *, by: Any) -> None:
    if not access.may(by, "matching.may_decline_introduction", intro):
        raise PermissionDenied(_("この紹介を見送れるのは当事者とコーディネーターです。"))
    if intro.status == Introduction.Status.CONSENTED:
        raise ValidationError(_("双方が同意した紹介は、案件の画面で終了してください。"))
    intro.status = Introduction.Status.DECLINED
    intro.save()


def consent(intro: Introduction, *, by: Any, side: str | None = None) -> None:
    """One side agrees to be introduced. A coordinator may record a side's consent given by
    phone or mail (owners without an account), naming the side."""
    now = timezone.now()
    if intro.status not in (Introduction.Status.REQUESTED, Introduction.Status.APPROVED):
        raise ValidationError(_("この紹介は同意を受け付けていません（%(s)s）。") % {"s": intro.get_status_display()})
    coordinator = access.may(by, "matching.may_record_consent", intro)
    if side is None:
        if access.may(by, "matching.may_consent_as_owner", intro.listing):
            side = "listing"
        elif access.may(by, "matching.may_consent_as_owner", intro.candidate):
            side = "candidate"
    if side not in ("listing", "candidate") or not (
            coordinator or access.may(by, "matching.may_change_listing", getattr(intro, side))):
        raise PermissionDenied(_("同意できるのは紹介の当事者です。"))
    setattr(intro, f"{side}_consent_at", getattr(intro, f"{side}_consent_at") or now)
    intro.save()
    _maybe_complete(intro, by)


def _maybe_complete(intro: Introduction, by: Any) -> None:
    """Approved and consented by both: the introduction becomes a case with referrals."""
    if intro.status != Introduction.Status.APPROVED or not (intro.listing_consent_at and intro.candidate_consent_at):
        return
    from madoguchi.matching import cases_bridge

    with transaction.atomic():
        intro.case_ref = cases_bridge.open_case(intro, by=intro.approved_by or by)
        intro.status = Introduction.Status.CONSENTED
        intro.save()


MAX_QUERY_WORDS = 8


def browse(user: Any, *, kind: str = "", tech_area: str = "", field: str = "", q: str = "") -> Any:
    """Listings the user may see, filtered; newest first. The page and the API both call this."""
    from django.db.models import Q

    qs = visible_listings(user).select_related("owner_organization", "municipality").prefetch_related("fields")
    if kind:
        qs = qs.filter(kind=kind)
    if tech_area:
        qs = qs.filter(tech_area=tech_area)
    if field:
        qs = qs.filter(fields__code=field)
    for word in q.split()[:MAX_QUERY_WORDS]:
        # title and description only: a search on the owner's name would unmask anonymous listings
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs.distinct().order_by("-created")


def suggestions_for(user: Any, listing: Listing) -> list[Any]:
    """The stored suggestions the user may see: only for the listing's side and coordinators, and
    only candidates the user may see themselves. Computed on the fly when none are stored yet."""
    from madoguchi.matching import matches as stored

    if not access.may(user, "matching.may_see_listing_private", listing):
        return []
    matches = list(listing.matches.select_related("candidate__owner_organization", "candidate__municipality"))
    if not matches and not listing.institution_matches.exists() and listing.is_live:
        matches = stored.refresh(listing)
        matches = list(listing.matches.select_related("candidate__owner_organization", "candidate__municipality"))
    return [m for m in matches if access.may(user, "matching.may_see_listing", m.candidate)]


def institutions_for(user: Any, listing: Listing) -> list[Any]:
    """The registry institutions suggested for the listing (lenders for a funding request, 公設試 /
    universities / TLO for a need), for the same people as `suggestions_for`. Call it after
    `suggestions_for`, which computes both when none are stored yet."""
    if not access.may(user, "matching.may_see_listing_private", listing):
        return []
    return list(listing.institution_matches.select_related("organization"))
