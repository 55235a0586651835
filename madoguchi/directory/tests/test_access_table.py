"""Directory: the shared cast (madoguchi/lib/tests/cast.py) × keeping an institution's records, rules and pages.

仙台市産業振興事業団 (staff, readonly) runs a program and a facility; 東北経済産業局 (outsider,
org_admin) runs another program. An institution's record, profile and staff are edited in the
admin, scoped to the own institution. A cell is
  yes / no               what the rule (directory.may_<action>) answers
  200 403                the status of the page
  listed / absent        an admin list opens, and the row of 仙台市産業振興事業団 is in it or not
  open / hidden          an admin change page opens, or answers "not found"
  login                  sent to the login page (the admin's own for the admin)
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from madoguchi.directory.models import Facility, Program
from madoguchi.lib.tests.cast import ROLES, Cast, allowed, http_as, outcome, table_row

COLUMNS = ["workspace", "add", "program", "other_program", "facility", "members", "page", "record", "memberships",
           "accounts", "groups", "municipalities"]

TABLE = {
    #                workspace add program other_program facility members page record memberships accounts groups municipalities
    "client":        "no  no  no  no  no  no  200 login login login login login",
    "other_client":  "no  no  no  no  no  no  200 login login login login login",
    "staff":         "yes yes yes no  yes no  200 open 403 listed 403 200",
    "readonly":      "yes no  no  no  no  no  200 open 403 listed 403 200",
    "receiver":      "yes yes no  no  no  no  200 hidden 403 absent 403 200",
    "coordinator":   "yes yes no  no  no  no  200 hidden 403 absent 403 200",
    "coord_noncore": "yes yes no  no  no  no  200 hidden 403 absent 403 200",
    "admin_noncore": "yes yes no  no  no  no  200 hidden 403 absent 403 200",
    "org_admin":     "yes yes no  yes no  yes 200 hidden absent absent 403 200",
    "prefecture":    "no  no  no  no  no  no  200 403 403 403 403 200",
    "outsider":      "yes yes no  yes no  no  200 hidden 403 absent 403 200",
    "anonymous":     "no  no  no  no  no  no  200 login login login login login",
}


def _listed(http: Any, path: str, row: Any) -> str:
    """Whether the admin list at `path` holds `row` (its queryset, before paging)."""
    response = http.get(path)
    if response.status_code != 200:
        return outcome(response)
    return "listed" if response.context["cl"].queryset.filter(pk=row.pk).exists() else "absent"


def _opened(http: Any, path: str) -> str:
    response = http.get(path)
    if response.status_code == 302 and response["Location"] == "/admin/":
        return "hidden"  # the admin's "no such object" redirect
    return "open" if response.status_code == 200 else outcome(response)


def observe(cast: Cast, role: str) -> dict[str, str]:
    owner = cast.orgs["owner"]
    program = owner.programs.get()
    other_program = Program.objects.create(slug="kaigai", name="海外展開支援", organization=cast.orgs["outside"])
    facility = Facility.objects.create(slug="shisaku", name="事業団の試作室", operator=owner)
    http = http_as(cast, role)
    row = {name: allowed(cast, role, f"directory.may_{perm}", obj) for name, perm, obj in [
        ("workspace", "use_workspace", None), ("add", "add_records", None), ("program", "change_program", program),
        ("other_program", "change_program", other_program), ("facility", "change_facility", facility),
        ("members", "manage_memberships", None),
    ]}
    row["page"] = outcome(http.get(reverse("directory:organization", args=[owner.slug])))
    row["record"] = _opened(http, f"/admin/directory/organization/{owner.pk}/change/")
    staff = cast.users["staff"]
    assert staff is not None
    row["memberships"] = _listed(http, "/admin/directory/membership/", staff.membership)
    row["accounts"] = _listed(http, "/admin/auth/user/", staff)
    row["groups"] = outcome(http.get("/admin/auth/group/"))
    row["municipalities"] = outcome(http.get("/admin/directory/municipality/"))
    return row


@pytest.mark.parametrize("role", ROLES)
def test_directory_access_table(cast: Cast, role: str) -> None:
    assert observe(cast, role) == table_row(COLUMNS, TABLE[role])
