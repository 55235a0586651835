"""The staff workspace (/staff/): the shared cast (madoguchi/lib/tests/cast.py) × every workspace action.

仙台市産業振興事業団 (staff, readonly) runs a program, a facility, a seminar and a need listing;
its case is referred to 東北テック研究所 (receiver). A cell is
  200 302 403 404    the status of the page or the change (302: done, back to the workspace)
  listed / absent    the workspace opens, and the referral is in its inbox or not
  login              sent to the login page
Every change is rolled back after its cell, so each cell starts from the same data.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from madoguchi.directory import roles
from madoguchi.directory.models import Facility, Program
from madoguchi.events.models import Event
from madoguchi.lib.tests.cast import ROLES, Cast, http_as, outcome, table_row, undone, user_of
from madoguchi.matching.models import Listing
from madoguchi.staff import workspace

COLUMNS = ["home", "inbox", "new_program", "program", "save_program", "retire_program", "facility", "new_event",
           "event", "retire_listing"]

TABLE = {
    #                home inbox new_program program save_program retire_program facility new_event event retire_listing
    "client":        "403 403 403 403 403 403 403 403 403 403",
    "other_client":  "403 403 403 403 403 403 403 403 403 403",
    "staff":         "200 absent 200 200 302 302 200 200 200 302",
    "readonly":      "200 absent 403 403 403 403 403 403 403 403",
    "receiver":      "200 listed 200 404 404 404 404 200 404 404",
    "coordinator":   "200 absent 200 404 404 404 404 200 404 404",
    "coord_noncore": "200 absent 200 404 404 404 404 200 404 404",
    "admin_noncore": "200 absent 200 404 404 404 404 200 404 404",
    "org_admin":     "200 absent 200 404 404 404 404 200 404 404",
    "prefecture":    "403 403 403 403 403 403 403 403 403 403",
    "outsider":      "200 absent 200 404 404 404 404 200 404 404",
    "anonymous":     "login login login login login login login login login login",
}


def observe(cast: Cast, role: str) -> dict[str, str]:
    owner = cast.orgs["owner"]
    program, event = owner.programs.get(), cast.event
    facility = Facility.objects.create(slug="shisaku", name="事業団の試作室", operator=owner)
    listing = Listing.objects.create(kind=Listing.Kind.NEED, title="表面処理の技術を探しています", owner_organization=owner,
                                     status=Listing.Status.PUBLISHED)
    http = http_as(cast, role)
    home = http.get(reverse("staff:home"))
    row = {"home": outcome(home)}
    row["inbox"] = (("listed" if cast.case.short_code in home.content.decode() else "absent")
                    if home.status_code == 200 else outcome(home))
    row["new_program"] = outcome(http.get(reverse("staff:program_new")))
    row["program"] = outcome(http.get(reverse("staff:program_edit", args=[program.slug])))
    row["save_program"] = outcome(undone(lambda: http.post(reverse("staff:program_edit", args=[program.slug]), {
        "name": "創業支援資金（令和8年度）", "category": "finance", "description": "設備資金の融資をあっせんします。"})))
    row["retire_program"] = outcome(undone(lambda: http.post(reverse("staff:program_retire", args=[program.slug]))))
    row["facility"] = outcome(http.get(reverse("staff:facility_edit", args=[facility.slug])))
    row["new_event"] = outcome(http.get(reverse("staff:event_new")))
    row["event"] = outcome(http.get(reverse("staff:event_edit", args=[event.slug])))
    row["retire_listing"] = outcome(undone(lambda: http.post(reverse("staff:listing_retire", args=[listing.uuid]))))
    return row


@pytest.mark.parametrize("role", ROLES)
def test_workspace_access_table(cast: Cast, role: str) -> None:
    program = cast.orgs["owner"].programs.get()

    assert observe(cast, role) == table_row(COLUMNS, TABLE[role])
    program.refresh_from_db()
    assert program.name == "創業支援資金" and program.retired_at is None  # every change was rolled back


RECORDS: list[tuple[Any, str, str]] = [
    (Program, "organization", "directory.may_change_program"),
    (Facility, "operator", "directory.may_change_facility"),
    (Event, "organization", "events.may_change_event"),
    (Listing, "owner_organization", "matching.may_change_listing"),
]


@pytest.mark.parametrize("role", ROLES)
def test_the_workspace_lists_agree_with_the_rules(cast: Cast, role: str) -> None:
    """What the workspace lists is the own institution's records; a member who can write may
    change exactly those (of every institution's), a read-only member none; the inbox holds
    only referrals to the institution of cases the member may open."""
    for org in cast.orgs.values():
        Facility.objects.create(slug=f"lab-{org.slug}", name=f"{org.name}の施設", operator=org)
        Listing.objects.create(kind=Listing.Kind.NEED, title=f"{org.name}の技術ニーズ", owner_organization=org,
                               status=Listing.Status.PUBLISHED)
        Program.objects.create(slug=f"p-{org.slug}", name=f"{org.name}の事業", organization=org)
    user = user_of(cast, role)
    m = roles.staff_membership(user)
    listed = {
        Program: workspace.programs_of, Facility: workspace.facilities_of, Event: workspace.events_of,
        Listing: workspace.listings_of,
    }
    for model, owner_field, perm in RECORDS:
        changeable = {r.pk for r in model.objects.all() if user.has_perm(perm, r)}
        if m is None:
            assert changeable == set(), (model, role)
            continue
        shown = {r.pk for r in listed[model](m.organization)}
        assert shown == set(model.objects.filter(**{owner_field: m.organization}).values_list("pk", flat=True))
        if not m.can_write:
            assert changeable == set(), (model, role)
        elif m.is_coordinator and model is Listing:
            assert changeable == set(Listing.objects.values_list("pk", flat=True))  # coordinators change every listing
        else:
            assert changeable == shown, (model, role)
    if m is not None:
        inbox = [item.referral for item in workspace.referral_inbox(m.organization)]
        assert all(r.to_org_id == m.organization_id and user.has_perm("cases.may_view_case", r.case) for r in inbox)
        assert (cast.referral in inbox) is (role == "receiver")
