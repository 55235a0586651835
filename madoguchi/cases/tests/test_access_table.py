"""Cases: the shared cast (madoguchi/lib/tests/cast.py) × every case action, rules and pages.

The case is the client's, owned by 仙台市産業振興事業団 (staff, readonly) and referred to
東北テック研究所 (receiver), not yet answered; consent covers the platform. The other client's
case was taken in by the core institution. A cell is
  yes / no               what the rule (cases.may_<action>) answers
  200 302 403 404 401    the status of the page, the change (302: done, back to the case) or the API
  login                  sent to the login page
  listed / absent        the /cases/ list opens, and the case is in it or not
Every change is rolled back after its cell, so each cell starts from the same data.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from madoguchi.cases.models import Case
from madoguchi.cases.rules import listed_cases, visible_cases
from madoguchi.cases.tests.conftest import make_case, make_client
from madoguchi.lib.tests.cast import ROLES, Cast, allowed, http_as, outcome, table_row, undone, user_of

COLUMNS = ["view", "change", "close", "export", "withdraw", "reads", "respond", "close_ref", "triage", "register",
           "page", "note", "accept", "close_it", "download", "list", "inbox", "api"]

TABLE = {
    #               view change close export withdraw reads respond close_ref triage register page note accept close_it download list inbox api
    "client":       "yes no  no  yes yes yes no  no  no  no  200 403 403 403 200 listed 403 200",
    "other_client": "no  no  no  no  no  no  no  no  no  no  404 404 404 404 404 absent 403 404",
    "staff":        "yes yes yes yes no  yes no  yes no  yes 200 302 403 302 200 listed 403 200",
    "readonly":     "yes no  no  no  no  no  no  no  no  no  200 403 403 403 403 listed 403 200",
    "receiver":     "yes yes no  no  no  no  yes no  no  yes 200 302 302 403 403 listed 403 200",
    "coordinator":  "yes yes yes yes no  yes no  yes yes yes 200 302 403 302 200 absent 200 200",
    "coord_noncore": "no no  no  no  no  no  no  no  no  yes 404 404 404 404 404 absent 403 404",
    "admin_noncore": "no no  no  no  no  no  no  no  no  yes 404 404 404 404 404 absent 403 404",
    "org_admin":    "no  no  no  no  no  no  no  no  no  yes 404 404 404 404 404 absent 403 404",
    "prefecture":   "no  no  no  no  no  no  no  no  no  no  404 404 404 404 404 absent 403 404",
    "outsider":     "no  no  no  no  no  no  no  no  no  yes 404 404 404 404 404 absent 403 404",
    "anonymous":    "no  no  no  no  no  no  no  no  no  no  login login login login login login login 401",
}


def observe(cast: Cast, role: str) -> dict[str, str]:
    case, referral = cast.case, cast.referral
    assert referral is not None
    http = http_as(cast, role)
    row = {name: allowed(cast, role, f"cases.may_{perm}", obj) for name, perm, obj in [
        ("view", "view_case", case), ("change", "change_case", case), ("close", "close_case", case),
        ("export", "export_case", case), ("withdraw", "withdraw_consent", case), ("reads", "see_reads", case),
        ("respond", "respond_referral", referral), ("close_ref", "close_referral", referral),
        ("triage", "triage", None), ("register", "register_consultation", None),
    ]}
    code = case.code
    row["page"] = outcome(http.get(reverse("cases:case", args=[code])))
    row["note"] = outcome(undone(lambda: http.post(reverse("cases:note", args=[code]), {"text": "電話で状況を確認"})))
    row["accept"] = outcome(undone(lambda: http.post(
        reverse("cases:referral_action", args=[code, referral.uuid, "accept"]), {"version": referral.version})))
    row["close_it"] = outcome(undone(lambda: http.post(reverse("cases:close", args=[code]), {"outcome": "info_only"})))
    row["download"] = outcome(http.get(reverse("cases:export", args=[code])))
    listing = http.get(reverse("cases:list"))
    row["list"] = (("listed" if case.short_code in listing.content.decode() else "absent")
                   if listing.status_code == 200 else outcome(listing))
    row["inbox"] = outcome(http.get(reverse("cases:inbox")))
    row["api"] = str(http.get(f"/api/cases/{code}").status_code)
    return row


@pytest.mark.parametrize("role", ROLES)
def test_case_access_table(cast: Cast, role: str) -> None:
    activities = cast.case.activities.count()

    assert observe(cast, role) == table_row(COLUMNS, TABLE[role])
    assert cast.case.activities.count() == activities  # every change was rolled back


@pytest.mark.parametrize("role", ROLES)
def test_the_row_filters_agree_with_the_view_rule(cast: Cast, role: str) -> None:
    """visible_cases is exactly the cases may_view_case opens; the /cases/ list is those of them
    the user's institution owns or took part in (all of them, but for the coordinator)."""
    client, other = cast.case.client, cast.other_case.client
    orgs = cast.orgs
    named = make_case(make_client("高橋一郎", "takahashi@example.jp"), orgs["outside"], consent=Case.Consent.NAMED)
    named.named_organizations.add(orgs["owner"])
    make_case(other, orgs["target"], consent=Case.Consent.CORE_ONLY)
    withdrawn = make_case(client, orgs["core"])
    withdrawn.withdraw_consent(by=client.user)
    outsider = cast.users["outsider"]
    assert outsider is not None
    named.refer(by=outsider, to_org=orgs["owner"], message="販路の相談です")
    user = user_of(cast, role)

    opened = {c.pk for c in Case.objects.all() if user.has_perm("cases.may_view_case", c)}
    visible = set(visible_cases(user).values_list("pk", flat=True))
    listed = set(listed_cases(user).values_list("pk", flat=True))

    assert visible == opened
    assert listed <= opened
    if role != "coordinator":
        assert listed == opened
