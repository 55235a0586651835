"""Events: the shared cast (madoguchi/lib/tests/cast.py) × every event action, rules and pages.

The event is a published seminar of 仙台市産業振興事業団 (staff, readonly) with one registration
(鈴木一郎). A cell is
  yes / no               what the rule (events.may_change_event) answers
  200 302 403 404        the status of the page, the change (302: done) or the API
  listed / absent        the admin's event list opens, and the event is in it or not
  roll / hidden          the event's admin page opens with its registrations, or answers "not found"
  login                  sent to the login page (the admin's own for the admin)
Every change is rolled back after its cell, so each cell starts from the same data.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from madoguchi.lib.tests.cast import REGISTRANT, ROLES, Cast, allowed, http_as, outcome, table_row, undone

COLUMNS = ["change", "page", "api", "edit", "cancel", "admin_list", "roll", "subscribers"]

TABLE = {
    #                change page api edit cancel admin_list roll subscribers
    "client":        "no  200 200 403 403 login login login",
    "other_client":  "no  200 200 403 403 login login login",
    "staff":         "yes 200 200 200 302 listed roll 403",
    "readonly":      "no  200 200 403 403 listed roll 403",
    "receiver":      "no  200 200 404 404 absent hidden 403",
    "coordinator":   "no  200 200 404 404 absent hidden 403",
    "coord_noncore": "no  200 200 404 404 absent hidden 403",
    "admin_noncore": "no  200 200 404 404 absent hidden 403",
    "org_admin":     "no  200 200 404 404 absent hidden 403",
    "prefecture":    "no  200 200 403 403 403 403 403",
    "outsider":      "no  200 200 404 404 absent hidden 403",
    "anonymous":     "no  200 200 login login login login login",
}


def observe(cast: Cast, role: str) -> dict[str, str]:
    event = cast.event
    http = http_as(cast, role)
    row = {"change": allowed(cast, role, "events.may_change_event", event)}
    row["page"] = outcome(http.get(reverse("events:detail", args=[event.slug])))
    row["api"] = str(http.get(f"/api/events/{event.slug}").status_code)
    row["edit"] = outcome(http.get(reverse("staff:event_edit", args=[event.slug])))
    row["cancel"] = outcome(undone(lambda: http.post(reverse("staff:event_cancel", args=[event.slug]))))
    changelist = http.get("/admin/events/event/")
    row["admin_list"] = (("listed" if event.title in changelist.content.decode() else "absent")
                         if changelist.status_code == 200 else outcome(changelist))
    roll = http.get(f"/admin/events/event/{event.pk}/change/")
    if roll.status_code == 200:
        row["roll"] = "roll" if REGISTRANT in roll.content.decode() else "200"
    elif roll.status_code == 302 and roll["Location"] == "/admin/":
        row["roll"] = "hidden"  # the admin's "no such object" redirect
    else:
        row["roll"] = outcome(roll)
    row["subscribers"] = outcome(http.get("/admin/events/subscription/"))
    return row


@pytest.mark.parametrize("role", ROLES)
def test_event_access_table(cast: Cast, role: str) -> None:
    assert observe(cast, role) == table_row(COLUMNS, TABLE[role])
