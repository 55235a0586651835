"""Who receives which email (directory/recipients.py): the shared cast × every purpose.

A cell says whether the cast member's address is among `staff_addresses(their own institution,
purpose)`: "yes" or "no". The coordinators are copied wherever a purpose says so; read-only
members and the prefecture's viewer (placed at the core institution, the worst place) never.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from madoguchi.cases import notify
from madoguchi.directory.models import Membership, Organization
from madoguchi.directory.recipients import RULES, Purpose, coordinator_addresses, staff_addresses
from madoguchi.events import notify as event_notify
from madoguchi.events.models import Registration
from madoguchi.lib.addresses import deliverable, is_deliverable
from madoguchi.lib.tests.cast import Cast, table_row
from madoguchi.platform.models import OutboundEmail

COLUMNS = ["staff", "readonly", "receiver", "coordinator", "coord_noncore", "admin_noncore", "org_admin",
           "prefecture", "outsider"]

TABLE = {
    #                       staff readonly receiver coordinator coord_noncore admin_noncore org_admin prefecture outsider
    "new_consultation":   "no  no  no  yes no  no  no  no  no",
    "referral_received":  "yes no  yes yes yes yes yes no  yes",
    "referral_declined":  "yes no  yes yes yes yes yes no  yes",
    "referral_overdue":   "yes no  yes yes yes yes yes no  yes",
    "consent_withdrawn":  "yes no  yes yes yes yes yes no  yes",
    "programs_to_verify": "yes no  yes yes yes yes yes no  yes",
}


def test_the_table_names_every_purpose() -> None:
    assert sorted(TABLE) == sorted(p.value for p in Purpose)


@pytest.mark.parametrize("purpose", list(TABLE))
def test_who_receives_each_purpose(cast: Cast, purpose: str) -> None:
    expected = table_row(COLUMNS, TABLE[purpose])
    got = {}
    for role in COLUMNS:
        user = cast.users[role]
        assert user is not None
        received = staff_addresses(user.membership.organization, Purpose(purpose))
        got[role] = "yes" if user.email in received else "no"
    assert got == expected


def test_no_purpose_names_a_role_that_only_reads() -> None:
    for purpose, rule in RULES.items():
        assert not rule.roles & set(Membership.READ_ONLY_ROLES), purpose


def test_the_prefectures_viewer_is_never_mailed_even_if_the_table_named_the_role(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from madoguchi.directory import recipients

    everyone = frozenset(Membership.Role)
    monkeypatch.setitem(recipients.RULES, Purpose.REFERRAL_RECEIVED, recipients.Rule(everyone))
    core = cast.orgs["core"]
    assert staff_addresses(core, Purpose.REFERRAL_RECEIVED) == ["coordinator@example.jp"]


def test_inactive_accounts_and_empty_or_invalid_addresses_are_never_mailed(cast: Cast) -> None:
    owner = cast.orgs["owner"]
    User.objects.filter(username="staff").update(is_active=False)
    for name, email in [("blank", ""), ("spaces", "   "), ("broken", "not-an-address"),
                        ("smuggler", "a@example.jp\nBcc: evil@example.com")]:
        user = User.objects.create_user(username=name, email=email, password="x")
        Membership.objects.create(user=user, organization=owner, role=Membership.Role.STAFF)
    assert staff_addresses(owner, Purpose.PROGRAMS_TO_VERIFY) == []


def test_addresses_are_ordered_and_each_once_with_the_coordinators_first(cast: Cast) -> None:
    core = cast.orgs["core"]
    for name, email in [("zeta", "zeta@example.jp"), ("alpha", " alpha@example.jp "), ("twin", "coordinator@example.jp")]:
        user = User.objects.create_user(username=name, email=email, password="x")
        Membership.objects.create(user=user, organization=core, role=Membership.Role.STAFF)
    # the coordinator is both copied and a member of the core institution: listed once, first
    assert staff_addresses(core, Purpose.REFERRAL_OVERDUE) == [
        "coordinator@example.jp", "alpha@example.jp", "zeta@example.jp"]
    assert staff_addresses(core, Purpose.REFERRAL_RECEIVED) == [
        "alpha@example.jp", "coordinator@example.jp", "zeta@example.jp"]


def test_only_the_core_institutions_coordinators_are_copied(cast: Cast) -> None:
    # coord_noncore holds the coordinator role at an institution that is no longer core
    assert coordinator_addresses() == ["coordinator@example.jp"]
    assert staff_addresses(None, Purpose.NEW_CONSULTATION) == ["coordinator@example.jp"]
    assert staff_addresses(None, Purpose.REFERRAL_RECEIVED) == []


@pytest.mark.parametrize(("purpose", "public"), [
    (Purpose.REFERRAL_RECEIVED, True), (Purpose.REFERRAL_OVERDUE, True), (Purpose.CONSENT_WITHDRAWN, True),
    # The two that carry free text about a client, or links that act without a login:
    (Purpose.REFERRAL_DECLINED, False), (Purpose.PROGRAMS_TO_VERIFY, False),
])
def test_the_public_address_stands_in_only_where_the_mail_is_not_personal(cast: Cast, purpose: Purpose,
                                                                          public: bool) -> None:
    quiet = Organization.objects.create(slug="quiet", name="アカウントのない機関", kind=Organization.Kind.SUPPORT,
                                        email="info@quiet.example.jp")
    reader = User.objects.create_user(username="reader", email="reader@example.jp", password="x")
    Membership.objects.create(user=reader, organization=quiet, role=Membership.Role.READONLY)
    others = coordinator_addresses() if RULES[purpose].coordinators else []
    assert staff_addresses(quiet, purpose) == others + (["info@quiet.example.jp"] if public else [])


def test_the_public_address_is_not_used_while_a_member_can_be_mailed(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.orgs["target"].pk).update(email="info@tohoku-tech.example.jp")
    assert staff_addresses(Organization.objects.get(pk=cast.orgs["target"].pk), Purpose.REFERRAL_RECEIVED) == [
        "receiver@example.jp"]


def test_a_decline_is_not_mailed_to_the_referring_institutions_shared_inbox(cast: Cast) -> None:
    """Changed: cases fell back to an institution's public address for every referral mail; the
    decline carries the declining staff's reason, free text about the client, so now it goes
    to the members who can act (and the coordinators) only — as the 要確認 reminder always did."""
    owner = cast.orgs["owner"]
    Organization.objects.filter(pk=owner.pk).update(email="info@sendai-sangyo.example.jp")
    User.objects.filter(username="staff").update(is_active=False)
    referral = cast.referral
    assert referral is not None
    referral.refresh_from_db()
    referral.reason = "山田様の資金計画は当機関の対象外です"
    OutboundEmail.objects.all().delete()

    notify.referral_declined(referral)

    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == ["coordinator@example.jp"]


def test_an_invalid_address_is_dropped_where_a_person_is_mailed(cast: Cast) -> None:
    """Changed: an address that is not one (old data, a bulk import) was queued and failed in the
    worker six times; every module now drops it the same way (lib/addresses.py)."""
    registration = Registration.objects.create(event=cast.event, name="古い記録", email="no-at-sign")
    OutboundEmail.objects.all().delete()
    event_notify.registration_received(registration)
    assert not OutboundEmail.objects.exists()


def test_deliverable_keeps_addresses_and_drops_the_rest() -> None:
    assert deliverable(" taro@example.jp", None, "", "  ", "taro@example.jp", "x@", "hanako@example.jp") == [
        "taro@example.jp", "hanako@example.jp"]
    assert not is_deliverable("a@example.jp\r\nBcc: evil@example.com")
    assert is_deliverable("taro@例え.jp")  # an internationalised domain, as the forms accept it
