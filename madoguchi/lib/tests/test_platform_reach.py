"""A coordinator or administrator role outside the core institution reaches nothing platform-wide.

The row cannot exist: the database refuses it (CHECK on the synced at_core flag). The cast's
coord_noncore and admin_noncore are the rows old data may still hold (an institution that was
core when they were appointed); the role tables show they reach no more than any staff. And a
rule asked about a hand-built, never-saved membership — even one whose at_core flag says
"core" — reads the institution's kind and grants nothing beyond that institution.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from madoguchi.cases.rules import staff_visible_cases
from madoguchi.directory import roles
from madoguchi.directory.models import Membership
from madoguchi.lib.tests.cast import Cast
from madoguchi.matching.models import Listing
from madoguchi.matching.rules import visible_listings

PLATFORM_ROLES = [Membership.Role.COORDINATOR, Membership.Role.ADMIN]
USER_LEVEL_REACH = ["cases.may_triage", "matching.may_moderate", "matching.may_list_for_others",
                    "reports.may_view_reports", "catalog.may_import_programs"]


@pytest.mark.parametrize("role", PLATFORM_ROLES)
def test_the_database_refuses_a_platform_role_outside_the_core(cast: Cast, role: str) -> None:
    user = User.objects.create_user("would-be", "would-be@example.jp")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organization=cast.orgs["outside"], role=role)
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", PLATFORM_ROLES)
def test_a_hand_built_platform_role_outside_the_core_grants_no_platform_reach(cast: Cast, role: str) -> None:
    user = User.objects.create_user("hand-built", "hand-built@example.jp", is_staff=True)
    outside = cast.orgs["outside"]
    user.membership = Membership(user=user, organization=outside, role=role, at_core=True)  # never saved

    assert not roles.is_coordinator(user) and not roles.is_platform_admin(user)
    assert roles.admin_scope(user) == outside  # the admin: its own institution's rows only
    assert [perm for perm in USER_LEVEL_REACH if user.has_perm(perm)] == []
    assert not user.has_perm("cases.may_view_case", cast.case)
    assert not user.has_perm("cases.may_view_case", cast.other_case)  # the core institution's intake
    assert not user.has_perm("cases.may_close_referral", cast.referral)
    assert not user.has_perm("matching.may_see_listing_owner", cast.listing)
    assert not user.has_perm("matching.may_change_listing", cast.listing)
    assert not user.has_perm("events.may_change_event", cast.event)
    assert not user.has_perm("directory.may_change_program", cast.orgs["owner"].programs.get())
    assert not user.has_perm("directory.may_manage_memberships")
    assert list(staff_visible_cases(user)) == []
    pending = Listing.objects.create(kind=Listing.Kind.NEED, title="審査待ちの掲載", owner_organization=cast.orgs["owner"],
                                     status=Listing.Status.PENDING)
    assert pending not in visible_listings(user) and cast.listing in visible_listings(user)
