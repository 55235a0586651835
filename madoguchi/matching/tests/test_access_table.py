"""Matching: the shared cast (madoguchi/lib/tests/cast.py) × every listing action, rules and pages.

The listing is an anonymous licence offer of 東北テック研究所 (receiver's institution), published;
仙台市産業振興事業団 (staff, readonly) owns a published need, and its staff asked to be introduced
to the patent (the introduction waits for the coordinator). A cell is
  yes / no               what the rule (matching.may_<action>) answers
  200 302 403 404 401    the status of the page, the change (302: done) or the API
  shown / masked         the patent's page names its owner, or hides it (匿名)
  login                  sent to the login page
Every change is rolled back after its cell, so each cell starts from the same data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from madoguchi.cases.models import Client
from madoguchi.lib.tests.cast import ROLES, TARGET_NAME, Cast, allowed, http_as, outcome, table_row, undone, user_of
from madoguchi.matching.models import Introduction, Listing
from madoguchi.matching.rules import visible_listings

COLUMNS = ["see", "change", "private", "owner", "as_owner", "create", "moderate", "see_intro", "consent",
           "page", "edit", "renew", "moderation", "intro_page", "suggestions", "new"]

TABLE = {
    #                see change private owner as_owner create moderate see_intro consent page edit renew moderation intro_page suggestions new
    "client":        "yes no  no  no  no  yes no  no  no  masked 403 403 403 404 404 200",
    "other_client":  "yes no  no  no  no  yes no  no  no  masked 403 403 403 404 404 200",
    "staff":         "yes no  no  no  no  yes no  yes yes masked 403 403 403 200 404 200",
    "readonly":      "yes no  no  no  no  no  no  yes no  masked 403 403 403 200 404 403",
    "receiver":      "yes yes yes yes yes yes no  yes yes shown 200 302 403 200 200 200",
    "coordinator":   "yes yes yes yes no  yes yes yes yes shown 200 302 200 200 200 200",
    "coord_noncore": "yes no  no  no  no  yes no  no  no  masked 403 403 403 404 404 200",
    "admin_noncore": "yes no  no  no  no  yes no  no  no  masked 403 403 403 404 404 200",
    "org_admin":     "yes no  no  no  no  yes no  no  no  masked 403 403 403 404 404 200",
    "prefecture":    "yes no  no  no  no  no  no  no  no  masked 403 403 403 404 404 403",
    "outsider":      "yes no  no  no  no  yes no  no  no  masked 403 403 403 404 404 200",
    "anonymous":     "yes no  no  no  no  no  no  no  no  masked login login login login 401 login",
}


def _introduction(cast: Cast) -> Introduction:
    need = Listing.objects.create(kind=Listing.Kind.NEED, title="表面処理の技術を探しています",
                                  owner_organization=cast.orgs["owner"], status=Listing.Status.PUBLISHED)
    return Introduction.objects.create(listing=need, candidate=cast.listing, requested_by=cast.users["staff"],
                                       listing_consent_at=timezone.now())


def observe(cast: Cast, role: str) -> dict[str, str]:
    listing = cast.listing
    intro = _introduction(cast)
    http = http_as(cast, role)
    row = {name: allowed(cast, role, f"matching.may_{perm}", obj) for name, perm, obj in [
        ("see", "see_listing", listing), ("change", "change_listing", listing),
        ("private", "see_listing_private", listing), ("owner", "see_listing_owner", listing),
        ("as_owner", "consent_as_owner", listing), ("create", "create_listing", None), ("moderate", "moderate", None),
        ("see_intro", "see_introduction", intro), ("consent", "consent_introduction", intro),
    ]}
    detail = http.get(reverse("matching:listing", args=[listing.uuid]))
    row["page"] = (("shown" if TARGET_NAME in detail.content.decode() else "masked")
                   if detail.status_code == 200 else outcome(detail))
    row["edit"] = outcome(http.get(reverse("matching:listing_edit", args=[listing.uuid])))
    row["renew"] = outcome(undone(lambda: http.post(reverse("matching:listing_renew", args=[listing.uuid]))))
    row["moderation"] = outcome(http.get(reverse("matching:moderation")))
    row["intro_page"] = outcome(http.get(reverse("matching:introduction", args=[intro.uuid])))
    row["suggestions"] = str(http.get(f"/api/matching/listings/{listing.uuid}/suggestions").status_code)
    row["new"] = outcome(http.get(reverse("matching:listing_new")))
    return row


@pytest.mark.parametrize("role", ROLES)
def test_listing_access_table(cast: Cast, role: str) -> None:
    assert observe(cast, role) == table_row(COLUMNS, TABLE[role])


@pytest.mark.parametrize("role", ROLES)
def test_the_list_filter_agrees_with_the_see_rule(cast: Cast, role: str) -> None:
    """visible_listings (the list pages and the API) is exactly what may_see_listing opens, over
    listings of every status, visibility and kind of owner."""
    orgs = cast.orgs
    client: Client = cast.case.client
    past = timezone.localdate() - dt.timedelta(days=1)
    P, V = Listing.Status, Listing.Visibility
    kinds: list[tuple[str, str, dict[str, Any]]] = [
        (P.PUBLISHED, V.PUBLIC, {"owner_organization": orgs["owner"]}),
        (P.PUBLISHED, V.MEMBERS, {"owner_organization": orgs["outside"]}),
        (P.PUBLISHED, V.ANONYMOUS, {"owner_client": client}),
        (P.PENDING, V.PUBLIC, {"owner_organization": orgs["owner"]}),
        (P.DRAFT, V.MEMBERS, {"owner_client": client}),
        (P.REJECTED, V.PUBLIC, {"owner_name": "株式会社外部"}),
        (P.PUBLISHED, V.PUBLIC, {"owner_name": "株式会社外部", "expires_on": past}),
        (P.PUBLISHED, V.MEMBERS, {"owner_organization": orgs["core"]}),
    ]
    for n, (status, visibility, owner) in enumerate(kinds):
        Listing.objects.create(kind=Listing.Kind.NEED, title=f"掲載 {n}", status=status, visibility=visibility, **owner)
    user = user_of(cast, role)

    seen = {x.pk for x in Listing.objects.all() if user.has_perm("matching.may_see_listing", x)}

    assert set(visible_listings(user).values_list("pk", flat=True)) == seen
    assert set(visible_listings(user).values_list("pk", flat=True)) == seen
