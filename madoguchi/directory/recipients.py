"""Who receives which email: an institution's staff, by purpose, decided in one table.

Every module that tells an institution something (cases/notify.py, catalog/freshness.py) asks
`staff_addresses(organization, purpose)`; none filters memberships itself, so the apps cannot
drift on who is told. The rules every purpose shares:

- only active accounts with a deliverable address (lib/addresses.py), ordered by address,
  each once;
- read-only members are not emailed: each of these mails asks its reader to act;
- the prefecture's viewers (県の担当者) never receive any of them — they read aggregate reports,
  nothing about a case or a program's owners — whatever the table below says;
- the coordinators are those at the core institution only (the kind read now, as
  directory/roles.py does), copied where a purpose says so;
- an institution's public address (Organization.email) stands in for its members only where
  the mail carries nothing personal and no link that acts without a login, and only when none
  of the members it names can be mailed.

People who are not staff (a client, a registrant, a subscriber, a saved search's or a listing's
owner) are mailed where they are recorded, through lib.addresses.deliverable like these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from madoguchi.directory.models import Membership, Organization
from madoguchi.lib.addresses import deliverable

Role = Membership.Role

# The roles that may act on what the mail asks (Membership.can_write).
ACTING: frozenset[str] = frozenset(role for role in Role if role not in Membership.READ_ONLY_ROLES)


class Purpose(enum.StrEnum):
    NEW_CONSULTATION = "new_consultation"  # a client asked for help (cases/intake.py)
    REFERRAL_RECEIVED = "referral_received"  # a referral waits for the receiving institution's answer
    REFERRAL_DECLINED = "referral_declined"  # the referring institution must find another
    REFERRAL_OVERDUE = "referral_overdue"  # nobody answered a referral in time (cases/overdue.py)
    CONSENT_WITHDRAWN = "consent_withdrawn"  # an institution can no longer see a case
    PROGRAMS_TO_VERIFY = "programs_to_verify"  # the weekly 要確認 reminder (catalog/freshness.py)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # the members of the named institution who receive it
    coordinators: bool = False  # copied to the core institution's coordinators
    public_address: bool = False  # the institution's own address when none of those members has one
    why: str = ""


RULES: dict[Purpose, Rule] = {
    Purpose.NEW_CONSULTATION: Rule(frozenset(), coordinators=True, why="the coordinators triage every new case"),
    Purpose.REFERRAL_RECEIVED: Rule(
        ACTING, public_address=True,
        why="accept or decline; the mail names the sender and a case code, so an institution without "
            "accounts yet still hears of it"),
    Purpose.REFERRAL_DECLINED: Rule(
        ACTING, coordinators=True,
        why="the decline's reason is free text about the client: members who sent it, never a shared inbox"),
    Purpose.REFERRAL_OVERDUE: Rule(ACTING, coordinators=True, public_address=True, why="answer the referral"),
    Purpose.CONSENT_WITHDRAWN: Rule(ACTING, public_address=True, why="the case is gone from their lists"),
    Purpose.PROGRAMS_TO_VERIFY: Rule(
        ACTING, why="the mail's signed links set a program's verified date without a login: members only"),
}


def _member_addresses(organization: Organization, roles: frozenset[str]) -> list[str]:
    rows = (
        Membership.objects.filter(organization=organization, role__in=sorted(roles - {Role.PREFECTURE}),
                                  user__is_active=True)
        .order_by("user__email", "pk")
        .values_list("user__email", flat=True)
    )
    return deliverable(*rows)


def coordinator_addresses() -> list[str]:
    """The coordinators of the core institution (not its administrator, not a coordinator role
    left at an institution that is no longer core)."""
    rows = (
        Membership.objects.filter(role=Role.COORDINATOR, organization__kind=Organization.Kind.CORE,
                                  user__is_active=True)
        .order_by("user__email", "pk")
        .values_list("user__email", flat=True)
    )
    return deliverable(*rows)


def staff_addresses(organization: Organization | None, purpose: Purpose) -> list[str]:
    """The addresses that receive `purpose`'s mail about `organization` (None: an institution is
    not concerned, only the coordinators where the purpose copies them): the coordinators first,
    then the institution's members, ordered, each once."""
    rule = RULES[purpose]
    members: list[str] = []
    if organization is not None and rule.roles:
        members = _member_addresses(organization, rule.roles)
        if not members and rule.public_address:
            members = deliverable(organization.email)
    return deliverable(*(coordinator_addresses() if rule.coordinators else []), *members)
