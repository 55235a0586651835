"""The list of cases an institution sees agrees with the access rules, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case
from madoguchi.cases.tests.conftest import make_case
from madoguchi.directory.models import Organization


def _scenarios(the_client: Any, other_client: Any, org_a: Organization, org_b: Organization, org_c: Organization,
               alice: User, sendai: Any) -> list[Case]:
    referred = make_case(the_client, org_a, sendai)
    referred.refer(by=alice, to_org=org_b)
    withdrawn = make_case(the_client, org_a, sendai)
    withdrawn.refer(by=alice, to_org=org_b)
    withdrawn.withdraw_consent(by=None)
    named = make_case(other_client, org_a, sendai, consent=Case.Consent.NAMED)
    named.named_organizations.set([org_b])
    named.refer(by=alice, to_org=org_b)
    owned_by_b = make_case(other_client, org_b, sendai, consent=Case.Consent.CORE_ONLY)
    untouched = make_case(other_client, org_a, sendai)
    return [referred, withdrawn, named, owned_by_b, untouched]


def test_the_list_query_agrees_with_the_view_rule_for_every_institution(
    the_client: Any, other_client: Any, org_a: Organization, org_b: Organization, org_c: Organization,
    alice: User, bob: User, charlie: User, dora: User, sendai: Any,
) -> None:
    cases = _scenarios(the_client, other_client, org_a, org_b, org_c, alice, sendai)
    for user in (alice, bob, charlie, dora):
        listed = set(Case.objects.for_institution(user.membership.organization))
        allowed = {c for c in cases if user.has_perm("cases.may_view_case", c)}
        assert listed == allowed, user.username
    assert set(Case.objects.for_institution(org_b)) == {cases[0], cases[2], cases[3]}


def test_the_list_page_takes_a_fixed_number_of_queries(
    the_client: Any, other_client: Any, org_a: Organization, org_b: Organization, org_c: Organization,
    alice: User, bob: User, sendai: Any, client: HttpClient, django_assert_max_num_queries: Any,
) -> None:
    _scenarios(the_client, other_client, org_a, org_b, org_c, alice, sendai)
    for _ in range(10):
        make_case(other_client, org_b, sendai)
    client.force_login(bob)
    # session, user, membership, organization, two permission lookups, the cases: not one per case
    with django_assert_max_num_queries(7):
        response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 1 + 13
