"""Who may keep an institution's records current: the object permissions (django-rules).

An institution's staff (who can write) change their own institution's programs and
facilities, nobody else's; read-only members and the prefecture's viewers look only. The
platform administrators keep the admin for everything else. As in cases.rules, every object
predicate answers False for obj=None, and every rule is `<app>.may_<action>`.
"""

from __future__ import annotations

from typing import Any

import rules

from madoguchi.directory import roles
from madoguchi.directory.models import Facility, Program


def _writer_org_id(user: Any) -> int | None:
    m = roles.staff_membership(user)
    return m.organization_id if m is not None and m.can_write else None


@rules.predicate
def has_workspace(user: Any) -> bool:
    """Staff of an institution (any role that works with its records): the /staff/ pages."""
    return roles.staff_membership(user) is not None


@rules.predicate
def is_writer(user: Any) -> bool:
    return _writer_org_id(user) is not None


@rules.predicate
def is_institution_admin(user: Any) -> bool:
    """The institution's own administrator (or the platform administrator at the core)."""
    m = roles.membership(user)
    return m is not None and m.is_institution_admin


@rules.predicate
def runs_program(user: Any, program: Program | None) -> bool:
    org_id = _writer_org_id(user)
    return program is not None and org_id is not None and program.organization_id == org_id


@rules.predicate
def operates_facility(user: Any, facility: Facility | None) -> bool:
    org_id = _writer_org_id(user)
    return facility is not None and org_id is not None and facility.operator_id == org_id


rules.add_perm("directory.may_use_workspace", has_workspace)
rules.add_perm("directory.may_add_records", is_writer)
# User-level: manage the own institution's memberships in the admin (platform roles stay the platform's).
rules.add_perm("directory.may_manage_memberships", is_institution_admin)
rules.add_perm("directory.may_change_program", runs_program)
rules.add_perm("directory.may_change_facility", operates_facility)
