"""Who may see a listing, who may change it, and what of its owner a viewer may see.

Every page and every API endpoint of the matching app goes through these helpers, so the
anonymity rule is written once: an anonymous listing shows its owner only to the owner's own
organization, to coordinators (who broker the introduction), and to the other side of an
introduction both sides consented to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from madoguchi.directory import roles
# The membership that counts here: none for the prefecture's viewers (aggregates only).
from madoguchi.directory.roles import staff_membership as membership
from madoguchi.matching.models import Introduction, Listing


def is_coordinator(user: Any) -> bool:
    """Coordinators broker introductions platform-wide — only at the core institution."""
    return roles.is_coordinator(user)


def client_of(user: Any) -> Any:
    """The user's client (相談者) account, if they log in as one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "client", None)


def is_owner_member(user: Any, listing: Listing) -> bool:
    """Whether the user belongs to the listing's owner: its organization, or its client account."""
    if listing.owner_client_id is not None:
        client = client_of(user)
        return client is not None and client.pk == listing.owner_client_id
    m = membership(user)
    return m is not None and listing.owner_organization_id is not None and m.organization_id == listing.owner_organization_id


def may_see(user: Any, listing: Listing) -> bool:
    if is_coordinator(user) or is_owner_member(user, listing):
        return True
    if not listing.is_live:
        return False
    if listing.visibility == Listing.Visibility.MEMBERS:
        return membership(user) is not None
    return True


def may_change(user: Any, listing: Listing) -> bool:
    if listing.owner_client_id is not None and is_owner_member(user, listing):
        return True
    m = membership(user)
    if m is None or not m.can_write:
        return False
    return m.is_coordinator or (listing.owner_organization_id is not None and m.organization_id == listing.owner_organization_id)


def may_create(user: Any) -> bool:
    """Staff who can write, and clients (相談者) with an account."""
    m = membership(user)
    return (m is not None and m.can_write) or (m is None and client_of(user) is not None)


def may_act_for(user: Any, listing: Listing) -> bool:
    """Whether the user may speak for the listing's side (ask, consent, give feedback)."""
    return may_change(user, listing)


def _parse(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def get_listing_for_user(user: Any, listing_uuid: Any) -> tuple[Listing, bool]:
    """Return (listing, can_write); 404 when the user may not see it, so existence does not leak."""
    listing = (
        Listing.objects.select_related("owner_organization", "municipality")
        .prefetch_related("fields", "stages").filter(uuid=_parse(listing_uuid)).first()
    )
    if listing is None or not may_see(user, listing):
        raise Http404
    return listing, may_change(user, listing)


def get_rw_listing_for_user(user: Any, listing_uuid: Any) -> Listing:
    """The listing if the user may change it: 404 if they cannot see it, 403 if they only can see it."""
    listing, can_write = get_listing_for_user(user, listing_uuid)
    if not can_write:
        raise PermissionDenied
    return listing


@dataclass(frozen=True)
class OwnerView:
    """What a viewer is shown about a listing's owner."""

    hidden: bool
    name: str
    url: str = ""


def _consented_ids(user: Any) -> set[int]:
    """Ids of listings on the other side of introductions the user's side consented to.

    Computed once per user object (one request) so a list page makes one query, not one per row.
    """
    cached = getattr(user, "_matching_consented_ids", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    m = membership(user)
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


def _consented_with(user: Any, listing: Listing) -> bool:
    """Whether the user is on the other side of an introduction to `listing` both sides consented to."""
    return listing.pk in _consented_ids(user)


def owner_for(user: Any, listing: Listing) -> OwnerView:
    """The owner as this viewer may see it. The one function pages and API use."""
    shown = (
        listing.visibility != Listing.Visibility.ANONYMOUS
        or is_coordinator(user)
        or is_owner_member(user, listing)
        or _consented_with(user, listing)
    )
    if not shown:
        return OwnerView(hidden=True, name=_("匿名（紹介が成立するまで非公開）"))
    if listing.owner_client_id:
        return OwnerView(hidden=False, name=listing.owner_client.name)  # type: ignore[union-attr]
    org = listing.owner_organization
    if org is not None:
        try:
            url = org.get_absolute_url()
        except NoReverseMatch:  # the directory's pages may not be wired
            url = ""
        return OwnerView(hidden=False, name=org.display_name, url=url)
    return OwnerView(hidden=False, name=listing.owner_name)


def identifying_fields_visible(user: Any, listing: Listing) -> bool:
    """Whether fields that name the owner indirectly may be shown: a patent number leads to the
    applicant in any patent database, an external key and a contact address name the owner."""
    return not owner_for(user, listing).hidden


def may_see_private(user: Any, listing: Listing) -> bool:
    """Contact address, external key, moderation state: the owner's side and coordinators only."""
    return is_coordinator(user) or is_owner_member(user, listing)


# The same decisions as django-rules permissions (`matching.may_<action>`, never a Django model
# permission's name), so templates and other apps ask `user.has_perm(...)` like everywhere else.
# Each answers False at the list level (obj=None).
def _on_listing(check: Any) -> Any:
    return rules.predicate(lambda user, listing=None: listing is not None and check(user, listing), name=check.__name__)


rules.add_perm("matching.may_see_listing", _on_listing(may_see))
rules.add_perm("matching.may_change_listing", _on_listing(may_change))
rules.add_perm("matching.may_see_listing_owner", _on_listing(lambda user, listing: not owner_for(user, listing).hidden))
rules.add_perm("matching.may_moderate", rules.predicate(is_coordinator))
