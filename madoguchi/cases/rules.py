"""Who may do what with a case: the object permissions, in one place (django-rules).

Views never test roles themselves; they ask `user.has_perm("cases.may_<action>", obj)` through
the access helpers in access.py. The API uses the same helpers, so it obeys the same rules.

Naming: every rule is `<app>.may_<action>`, so none can collide with Django's model permissions
(`cases.view_case`, `cases.change_case`, ... which the admin asks about with obj=None). Every
object predicate answers False for obj=None (the list level): a permission on "some case" is
never granted by a rule about one case.
"""

from __future__ import annotations

from typing import Any

import rules

from madoguchi.cases.models import Case, Referral
from madoguchi.directory import roles
# The membership that lets a user work with cases: none for the prefecture's viewers.
from madoguchi.directory.roles import staff_membership as membership


@rules.predicate
def is_case_client(user: Any, case: Case | None) -> bool:
    return bool(case is not None and getattr(user, "is_authenticated", False) and case.client.user_id == user.pk)


@rules.predicate
def is_owner_staff(user: Any, case: Case | None) -> bool:
    m = membership(user)
    return case is not None and m is not None and m.organization_id == case.owner_id


@rules.predicate
def is_coordinator(user: Any) -> bool:
    """A coordinator or platform administrator at the core institution (see directory.roles)."""
    return roles.is_coordinator(user)


@rules.predicate
def is_writer(user: Any) -> bool:
    """Staff who may change things: everyone with a membership except read-only."""
    m = membership(user)
    return m is not None and m.can_write


@rules.predicate
def consent_covers_user(user: Any, case: Case | None) -> bool:
    m = membership(user)
    return case is not None and m is not None and case.may_share_with(m.organization)


@rules.predicate
def is_involved_staff(user: Any, case: Case | None) -> bool:
    m = membership(user)
    return case is not None and m is not None and m.organization_id in case.involved_organization_ids()


@rules.predicate
def is_receiver_staff(user: Any, referral: Referral | None) -> bool:
    m = membership(user)
    return referral is not None and m is not None and m.organization_id == referral.to_org_id


@rules.predicate
def is_sender_staff(user: Any, referral: Referral | None) -> bool:
    m = membership(user)
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
