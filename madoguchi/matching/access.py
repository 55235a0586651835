"""The access helpers every matching page and API endpoint starts with, over the rules in rules.py.

Someone who may not see a listing or an introduction gets 404, so its existence does not leak;
someone who may see a listing but not change it gets 403 when they try. What a viewer is shown
of a listing's owner comes from `owner_for`, the one function pages and API use.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from rules import has_perm as _rule_allows

from madoguchi.matching.models import Introduction, Listing


def may(user: Any, perm: str, obj: Any = None) -> bool:
    """Whether the rule `perm` (matching/rules.py) lets `user` do it to `obj`.

    The rule itself, not `user.has_perm`: Django grants a superuser every permission, and the
    superuser flag must not unmask an anonymous listing or open a draft on these pages, which
    answer by role (a superuser has the admin)."""
    return bool(_rule_allows(perm, user, obj))


def parse_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def get_listing_for_user(user: Any, listing_uuid: Any) -> tuple[Listing, bool]:
    """Return (listing, can_write); 404 when the user may not see it, so existence does not leak."""
    listing = (
        Listing.objects.select_related("owner_organization", "municipality")
        .prefetch_related("fields", "stages").filter(uuid=parse_uuid(listing_uuid)).first()
    )
    if listing is None or not may(user, "matching.may_see_listing", listing):
        raise Http404
    return listing, may(user, "matching.may_change_listing", listing)


def get_rw_listing_for_user(user: Any, listing_uuid: Any) -> Listing:
    """The listing if the user may change it: 404 if they cannot see it, 403 if they only can see it."""
    listing, can_write = get_listing_for_user(user, listing_uuid)
    if not can_write:
        raise PermissionDenied
    return listing


def get_introduction_for_user(user: Any, intro_uuid: Any) -> Introduction:
    """The introduction if the user is on one of its sides or a coordinator; otherwise 404."""
    intro = Introduction.objects.select_related("listing", "candidate").filter(uuid=parse_uuid(intro_uuid)).first()
    if intro is None or not may(user, "matching.may_see_introduction", intro):
        raise Http404
    return intro


@dataclass(frozen=True)
class OwnerView:
    """What a viewer is shown about a listing's owner."""

    hidden: bool
    name: str
    url: str = ""


def owner_for(user: Any, listing: Listing) -> OwnerView:
    """The owner as this viewer may see it (matching.may_see_listing_owner)."""
    if not may(user, "matching.may_see_listing_owner", listing):
        return OwnerView(hidden=True, name=_("匿名（紹介が成立するまで非公開）"))
    if listing.owner_client is not None:
        return OwnerView(hidden=False, name=listing.owner_client.name)
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
    return may(user, "matching.may_see_listing_owner", listing)
