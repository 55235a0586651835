"""System check: memberships whose role is not allowed at their institution (madoguchi.W010).

A warning, not an error: an error would stop `migrate`, and migration 0006 is what downgrades
those rows. The access rules already refuse such a role any platform-wide reach (they read the
organization's kind), so the check says what to fix rather than what is open.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register
from django.db import DatabaseError


@register()
def check_core_only_roles(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from madoguchi.directory.models import Membership, Organization

    try:
        wrong = list(
            Membership.objects.filter(role__in=Membership.CORE_ONLY_ROLES)
            .exclude(organization__kind=Organization.Kind.CORE)
            .select_related("user", "organization").order_by("pk")[:50]
            .values_list("pk", "user__username", "organization__slug", "role")
        )
    except DatabaseError:  # tables not created yet (before the first migrate)
        return []
    return [
        Warning(
            f"Membership {pk} ({username} at {slug}) has the role {role!r}, which exists only at the core institution.",
            hint="Run `madoguchi migrate` (0006 downgrades it: coordinator → staff, admin → org_admin), "
                 "or change the role in the admin.",
            obj=f"directory.Membership:{pk}",
            id="madoguchi.W010",
        )
        for pk, username, slug, role in wrong
    ]
