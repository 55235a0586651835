"""Who may see a listing, change it, see its owner, and broker introductions (django-rules).

The anonymity rule is written once, here: an anonymous listing shows its owner only to the
owner's own side (its organization's staff, or its client account), to coordinators (who
broker the introduction), and to the other side of an introduction both sides consented to.

Pages and the API ask `user.has_perm("matching.may_<action>", obj)` through the helpers in
access.py; services.py asks the same rules before it changes anything. As in cases.rules every
rule is `matching.may_<action>` (never a Django model permission's name) and every object rule
answers False for obj=None. `visible_listings` is the list filter of `may_see_listing`; the two
sit together so they cannot drift (a test compares them for every user of the shared cast).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from madoguchi.directory import roles
from madoguchi.matching.models import Introduction, Listing, ListingQuerySet


def client_of(user: Any) -> Any:
    """The user's client (相談者) account, if they log in as one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "client", None)


# -- who the user is ---------------------------------------------------------------------------
@rules.predicate
def is_coordinator(user: Any) -> bool:
    """Coordinators broker introductions platform-wide — only at the core institution."""
    return roles.is_coordinator(user)


@rules.predicate
def is_member(user: Any) -> bool:
    """A platform member's staff (any role that sees personal data; not the prefecture's)."""
    return roles.staff_membership(user) is not None


@rules.predicate
def is_writer(user: Any) -> bool:
    m = roles.staff_membership(user)
    return m is not None and m.can_write


@rules.predicate
def is_client_only(user: Any) -> bool:
    """A client (相談者) account with no staff membership: writes listings for themselves."""
    return roles.staff_membership(user) is None and client_of(user) is not None


# -- the listing -------------------------------------------------------------------------------
@rules.predicate
def is_listing(user: Any, listing: Listing | None) -> bool:
    return listing is not None


@rules.predicate
def is_live(user: Any, listing: Listing | None) -> bool:
    return listing is not None and listing.is_live


@rules.predicate
def is_members_only(user: Any, listing: Listing | None) -> bool:
    return listing is not None and listing.visibility == Listing.Visibility.MEMBERS


@rules.predicate
def is_anonymous_listing(user: Any, listing: Listing | None) -> bool:
    return listing is not None and listing.visibility == Listing.Visibility.ANONYMOUS


@rules.predicate
def is_owner_client(user: Any, listing: Listing | None) -> bool:
    """The client account that owns a client's listing."""
    if listing is None or listing.owner_client_id is None:
        return False
    client = client_of(user)
    return client is not None and client.pk == listing.owner_client_id


@rules.predicate
def is_owner_staff(user: Any, listing: Listing | None) -> bool:
    """Staff of the organization that owns the listing (any role but the prefecture's)."""
    if listing is None or listing.owner_client_id is not None or listing.owner_organization_id is None:
        return False
    m = roles.staff_membership(user)
    return m is not None and m.organization_id == listing.owner_organization_id


is_owner_side = is_owner_client | is_owner_staff


@rules.predicate
def consented_with(user: Any, listing: Listing | None) -> bool:
    """The user is on the other side of an introduction to `listing` both sides consented to."""
    return listing is not None and listing.pk in consented_listing_ids(user)


# -- introductions -----------------------------------------------------------------------------
@rules.predicate
def is_introduction(user: Any, intro: Introduction | None) -> bool:
    return intro is not None


@rules.predicate
def is_on_a_side(user: Any, intro: Introduction | None) -> bool:
    """The user sees the private side of the asking listing or of the candidate."""
    return intro is not None and any(
        bool(may_see_private.test(user, listing)) for listing in (intro.listing, intro.candidate))


@rules.predicate
def speaks_for_a_side(user: Any, intro: Introduction | None) -> bool:
    return intro is not None and any(
        bool(may_change.test(user, listing)) for listing in (intro.listing, intro.candidate))


@rules.predicate
def takes_consent(user: Any, intro: Introduction | None) -> bool:
    return intro is not None and intro.status in (Introduction.Status.REQUESTED, Introduction.Status.APPROVED)


# The decisions, named so they can be combined below.
may_see = is_listing & (is_coordinator | is_owner_side | (is_live & (~is_members_only | is_member)))
# A client changes their own listing; staff who can write change their organization's, and
# coordinators every listing.
may_change = is_listing & (is_owner_client | (is_writer & (is_coordinator | is_owner_staff)))
# Contact address, external key, moderation state, suggestions: the owner's side and coordinators.
may_see_private = is_listing & (is_coordinator | is_owner_side)
may_see_owner = is_listing & (~is_anonymous_listing | is_coordinator | is_owner_side | consented_with)

rules.add_perm("matching.may_see_listing", may_see)
rules.add_perm("matching.may_change_listing", may_change)
rules.add_perm("matching.may_see_listing_private", may_see_private)
rules.add_perm("matching.may_see_listing_owner", may_see_owner)
# Consent given without naming a side is the side the user belongs to and speaks for.
rules.add_perm("matching.may_consent_as_owner", is_owner_side & may_change)
# User-level: writing a listing, for one's own side or (coordinators) for a company outside the directory.
rules.add_perm("matching.may_create_listing", is_writer | is_client_only)
rules.add_perm("matching.may_list_for_others", is_coordinator)
rules.add_perm("matching.may_moderate", is_coordinator)
rules.add_perm("matching.may_see_introduction", is_introduction & (is_coordinator | is_on_a_side))
rules.add_perm("matching.may_approve_introduction", is_introduction & is_coordinator)
rules.add_perm("matching.may_decline_introduction", is_introduction & (is_coordinator | speaks_for_a_side))
rules.add_perm("matching.may_consent_introduction", takes_consent & (is_coordinator | speaks_for_a_side))
# A coordinator records either side's consent given by phone or mail (owners without an account).
rules.add_perm("matching.may_record_consent", is_introduction & is_coordinator)


# -- the row filters that agree with the rules above -------------------------------------------
def visible_listings(user: Any, queryset: ListingQuerySet | None = None) -> ListingQuerySet:
    """The listings `matching.may_see_listing` lets the user see, as one query (the list pages)."""
    qs = queryset if queryset is not None else Listing.objects.all()
    live = qs.live()
    m = roles.staff_membership(user)
    if m is not None and m.is_coordinator:
        return qs.all()
    if m is not None:
        return qs.filter(Q(pk__in=live.values("pk")) | Q(owner_organization_id=m.organization_id))
    public = live.filter(visibility__in=[Listing.Visibility.PUBLIC, Listing.Visibility.ANONYMOUS])
    if client_of(user) is not None:
        return qs.filter(Q(pk__in=public.values("pk")) | Q(owner_client__user=user))
    return public


def consented_listing_ids(user: Any) -> set[int]:
    """Ids of listings on the other side of introductions the user's side consented to.

    Computed once per user object (one request) so a list page makes one query, not one per row.
    """
    cached = getattr(user, "_matching_consented_ids", None)
    if cached is not None:
        return cached
    m = roles.staff_membership(user)
    client = client_of(user)
    ids: set[int] = set()
    if m is not None or client is not None:
        mine = Q(owner_organization_id=m.organization_id) if m is not None else Q(owner_client_id=client.pk)
        other_side = Listing.objects.filter(mine).values("pk")
        done = Introduction.objects.filter(status=Introduction.Status.CONSENTED)
        ids.update(done.filter(candidate__in=other_side).values_list("listing_id", flat=True))
        ids.update(done.filter(listing__in=other_side).values_list("candidate_id", flat=True))
    if getattr(user, "is_authenticated", False):
        user._matching_consented_ids = ids
    return ids
