"""Catalog: the shared cast (madoguchi/lib/tests/cast.py) × keeping programs current, rules and pages.

仙台市産業振興事業団 (staff, readonly) runs 創業支援資金, with catalog facts from a CSV source and
its 法人番号 on record. Its own staff keep them current; the upload, which names programs of any
institution, is the platform administrators'. A cell is
  yes / no               what the rule answers (directory.may_change_program, catalog.may_import_programs)
  200 403 404            the status of the page
  listed / absent        an admin list opens, and the institution's row is in it or not
  open / hidden          an admin change page opens, or answers "not found"
  login                  sent to the login page (the admin's own for the admin)
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from madoguchi.catalog.models import CatalogEntry, CorporateNumber, Source
from madoguchi.lib.tests.cast import ROLES, Cast, allowed, http_as, outcome, table_row

COLUMNS = ["change", "import", "page", "edit", "entries", "entry", "program", "numbers", "sources", "upload"]

TABLE = {
    #                change import page edit entries entry program numbers sources upload
    "client":        "no  no  200 403 login login login login login login",
    "other_client":  "no  no  200 403 login login login login login login",
    "staff":         "yes no  200 200 listed open open listed 403 403",
    "readonly":      "no  no  200 403 listed open open listed 403 403",
    "receiver":      "no  no  200 404 absent hidden hidden absent 403 403",
    "coordinator":   "no  no  200 404 absent hidden hidden absent 403 403",
    "coord_noncore": "no  no  200 404 absent hidden hidden absent 403 403",
    "admin_noncore": "no  no  200 404 absent hidden hidden absent 403 403",
    "org_admin":     "no  no  200 404 absent hidden hidden absent 403 403",
    "prefecture":    "no  no  200 403 403 403 403 403 403 403",
    "outsider":      "no  no  200 404 absent hidden hidden absent 403 403",
    "anonymous":     "no  no  200 login login login login login login login",
}


def _listed(http: Any, path: str, text: str) -> str:
    response = http.get(path)
    return ("listed" if text in response.content.decode() else "absent") if response.status_code == 200 else outcome(response)


def _opened(http: Any, path: str) -> str:
    response = http.get(path)
    if response.status_code == 302 and response["Location"] == "/admin/":
        return "hidden"  # the admin's "no such object" redirect
    return "open" if response.status_code == 200 else outcome(response)


def observe(cast: Cast, role: str) -> dict[str, str]:
    program = cast.orgs["owner"].programs.get()
    source = Source.objects.create(name="仙台市の制度一覧", slug="sendai-csv", kind=Source.Kind.CSV)
    entry = CatalogEntry.objects.create(program=program, source=source, external_id="S-001")
    CorporateNumber.objects.create(organization=cast.orgs["owner"], number="7370005002147")
    http = http_as(cast, role)
    row = {"change": allowed(cast, role, "directory.may_change_program", program),
           "import": allowed(cast, role, "catalog.may_import_programs")}
    row["page"] = outcome(http.get(reverse("catalog:program", args=[program.slug])))
    row["edit"] = outcome(http.get(reverse("staff:program_edit", args=[program.slug])))
    row["entries"] = _listed(http, "/admin/catalog/catalogentry/", "S-001")
    row["entry"] = _opened(http, f"/admin/catalog/catalogentry/{entry.pk}/change/")
    row["program"] = _opened(http, f"/admin/directory/program/{program.pk}/change/")
    row["numbers"] = _listed(http, "/admin/catalog/corporatenumber/", "7370005002147")
    row["sources"] = outcome(http.get("/admin/catalog/source/"))
    row["upload"] = outcome(http.get("/admin/catalog/source/import/"))
    return row


@pytest.mark.parametrize("role", ROLES)
def test_catalog_access_table(cast: Cast, role: str) -> None:
    assert observe(cast, role) == table_row(COLUMNS, TABLE[role])


def test_the_platform_administrator_opens_the_sources_and_the_upload(cast: Cast) -> None:
    from django.contrib.auth.models import User

    from madoguchi.directory.models import Membership

    admin = User.objects.create_user("platform", "platform@example.jp", is_staff=True)
    staff = cast.users["staff"]
    assert staff is not None
    admin.groups.set(staff.groups.all())
    Membership.objects.create(user=admin, organization=cast.orgs["core"], role=Membership.Role.ADMIN)
    http = http_as(cast, "anonymous")
    http.force_login(admin)

    assert admin.has_perm("catalog.may_import_programs")
    assert http.get("/admin/catalog/source/").status_code == 200
    assert http.get("/admin/catalog/source/import/").status_code == 200
