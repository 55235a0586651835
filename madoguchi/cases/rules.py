"""Who may do what with a case: the object permissions, in one place (django-rules).

Views never test roles themselves; they ask `user.has_perm("cases.may_<action>", obj)` through
the access helpers in access.py. The API uses the same helpers, so it obeys the same rules.
`visible_cases` and `listed_cases` are the row filters that go with `cases.may_view_case`; they
sit here beside it so the two cannot drift (a test compares them for every user of the cast).

Naming: every rule is `<app>.may_<action>`, so none can collide with Django's model permissions
(`cases.view_case`, `cases.change_case`, ... which the admin asks about with obj=None). Every
object predicate answers False for obj=None (the list level): a permission on "some case" is
never granted by a rule about one case.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import QuerySet

from madoguchi.cases.models import Case, Referral
from madoguchi.directory import roles

# Every predicate reads the user's membership through roles.staff_membership: none for the
# prefecture's viewers, who reach no case.


@rules.predicate
def is_case_client(user: Any, case: Case | None) -> bool:
    return bool(case is not None and getattr(user, "is_authenticated", False) and case.client.user_id == user.pk)


@rules.predicate
def is_owner_staff(user: Any, case: Case | None) -> bool:
    m = roles.staff_membership(user)
    return case is not None and m is not None and m.organization_id == case.owner_id


@rules.predicate
def is_coordinator(user: Any) -> bool:
    """A coordinator or platform administrator at the core institution (see directory.roles)."""
    return roles.is_coordinator(user)


@rules.predicate
def is_writer(user: Any) -> bool:
    """Staff who may change things: everyone with a membership except read-only."""
    m = roles.staff_membership(user)
    return m is not None and m.can_write


@rules.predicate
def consent_covers_user(user: Any, case: Case | None) -> bool:
    m = roles.staff_membership(user)
    return case is not None and m is not None and case.may_share_with(m.organization)


@rules.predicate
def is_involved_staff(user: Any, case: Case | None) -> bool:
    m = roles.staff_membership(user)
    return case is not None and m is not None and m.organization_id in case.involved_organization_ids()


@rules.predicate
def is_receiver_staff(user: Any, referral: Referral | None) -> bool:
    m = roles.staff_membership(user)
    return referral is not None and m is not None and m.organization_id == referral.to_org_id


@rules.predicate
def is_sender_staff(user: Any, referral: Referral | None) -> bool:
    m = roles.staff_membership(user)
    return referral is not None and m is not None and m.organization_id == referral.from_org_id


@rules.predicate
def can_view_referral_case(user: Any, referral: Referral | None) -> bool:
    return referral is not None and bool(can_view_case_staff.test(user, referral.case))


# Staff see a case when their institution is involved (or they coordinate) and the client's
# consent covers their institution right now.
can_view_case_staff = (is_owner_staff | ((is_involved_staff | is_coordinator) & consent_covers_user))
# Coordinators triage and route; the owner runs the case.
can_manage_case = is_writer & (is_owner_staff | (is_coordinator & consent_covers_user))

rules.add_perm("cases.may_view_case", is_case_client | can_view_case_staff)
rules.add_perm("cases.may_change_case", is_writer & can_view_case_staff)
rules.add_perm("cases.may_close_case", can_manage_case)
rules.add_perm("cases.may_export_case", is_case_client | can_manage_case)
rules.add_perm("cases.may_withdraw_consent", is_case_client)
rules.add_perm("cases.may_see_reads", is_case_client | can_manage_case)
rules.add_perm("cases.may_respond_referral", is_writer & is_receiver_staff & can_view_referral_case)
rules.add_perm("cases.may_close_referral", is_writer & (is_sender_staff | is_coordinator) & can_view_referral_case)
rules.add_perm("cases.may_triage", is_coordinator)
# User-level: an institution's staff who can write register a consultation they took in (the API).
rules.add_perm("cases.may_register_consultation", is_writer)


# -- the row filters that agree with the rules above -------------------------------------------
def staff_visible_cases(user: Any) -> QuerySet[Case]:
    """The cases the user may open as an institution's staff, as one query (the admin's rows):
    a superuser every case (Django gives them every permission), the core institution's
    coordinators what consent shares with it, other staff their institution's own and referred
    cases, the prefecture's viewers and clients none."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return Case.objects.all()
    m = roles.staff_membership(user)
    if m is None:
        return Case.objects.none()
    if m.is_coordinator:
        return Case.objects.shared_with(m.organization)
    return Case.objects.for_institution(m.organization)


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case `cases.may_view_case` lets the user open: as staff, or as the case's client."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return staff_visible_cases(user) | Case.objects.filter(client__user=user)


def listed_cases(user: Any) -> QuerySet[Case]:
    """The /cases/ list and GET /api/cases: the client's own cases, or the cases the user's
    institution owns or took part in by a referral and may see now. A coordinator's list is
    their institution's too (new consultations wait in the inbox), so it is a part of
    `visible_cases`, and equal to it for everyone else."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    m = roles.staff_membership(user)
    if m is None:
        return Case.objects.filter(client__user=user)
    return Case.objects.for_institution(m.organization)
