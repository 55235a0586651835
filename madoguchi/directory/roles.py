"""Who a staff user is, for every app's access rules: one place, so the apps cannot drift.

Roles are defined per kind of institution (Membership.CORE_ONLY_ROLES): the coordinator and the
platform administrator act platform-wide, and only at the core institution (中核的支援機関,
Organization.Kind.CORE — みやぎ産業振興機構 in the plan). Every helper here checks the
organization's kind at the moment of asking, so a row that slipped past validation (or an
institution whose kind was changed) never grants platform-wide reach.

The prefecture role (県の担当者) reads aggregate reports and nothing personal: `staff_membership`
leaves it out, so no case, inbox, export or masked listing is reachable through it, wherever the
person is placed.
"""

from __future__ import annotations

from typing import Any

from madoguchi.directory.models import Membership, Organization
from madoguchi.platform import membership as lookup


def membership(user: Any) -> Membership | None:
    """The user's membership (any role), or None for anonymous users and clients."""
    return lookup.membership(user)


def staff_membership(user: Any) -> Membership | None:
    """The membership when it lets the user work with personal data (cases, listings' owners):
    every role except the prefecture's, which reads aggregates only."""
    return lookup.staff_membership(user)


def is_core(organization: Organization | None) -> bool:
    return organization is not None and organization.kind == Organization.Kind.CORE


def is_coordinator(user: Any) -> bool:
    """Platform-wide reach: a coordinator or platform administrator at the core institution."""
    m = membership(user)
    return m is not None and m.is_coordinator


def is_prefecture_viewer(user: Any) -> bool:
    m = membership(user)
    return m is not None and m.role == Membership.Role.PREFECTURE


def is_platform_admin(user: Any) -> bool:
    """Superusers, and the platform administrator at the core institution: every row in the admin."""
    if getattr(user, "is_superuser", False):
        return True
    m = membership(user)
    return m is not None and m.role == Membership.Role.ADMIN and is_core(m.organization)


def can_write(user: Any) -> bool:
    """Whether the user may change their institution's records: a membership that sees personal
    data and is not read-only (Membership.can_write)."""
    m = staff_membership(user)
    return m is not None and m.can_write


def admin_scope(user: Any) -> Organization | None:
    """The one institution whose rows a non-platform admin user may see in the admin (None: none).

    The prefecture's viewers get none: every app's admin holds personal rows (registrations,
    listings' contacts, accounts), and they read aggregate reports only.
    """
    m = staff_membership(user)
    return m.organization if m is not None else None
