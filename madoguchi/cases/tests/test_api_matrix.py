"""The API obeys the page's rules: the same roles get the same answers for view and accept."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from madoguchi.cases.models import Referral
from madoguchi.platform.models import ApiToken

ROLES = ["owner_staff", "receiver_staff", "uninvolved_staff", "readonly", "coordinator", "client", "other_client", "anonymous"]
EXPECTED = {
    #         owner receiver uninvolved readonly coordinator client other_client anonymous
    "view":   [200,  200,     404,       200,     200,        200,   404,         401],
    "accept": [403,  200,     404,       403,     403,        403,   404,         401],
}
CASES = [(role, action, expected[i]) for action, expected in EXPECTED.items() for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("role", "action", "expected"), CASES, ids=[f"{r}-{a}" for r, a, _e in CASES])
def test_api_role_action_matrix(
    role: str, action: str, expected: int, referral: Referral, alice: User, bob: User, charlie: User, dora: User,
    cora: User, other_client: Any, client: HttpClient,
) -> None:
    staff = {"owner_staff": alice, "receiver_staff": bob, "uninvolved_staff": charlie, "readonly": dora, "coordinator": cora}
    headers: dict[str, Any] = {}  # the test client's **extra: typed Any by django-stubs
    if role in staff:
        _row, raw = ApiToken.objects.issue(user=staff[role], name=role)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    elif role == "client":
        assert referral.case.client.user is not None
        client.force_login(referral.case.client.user)
    elif role == "other_client":
        client.force_login(other_client.user)
    code = referral.case.code
    if action == "view":
        response = client.get(f"/api/cases/{code}", **headers)
    else:
        # Clients use their session, so they send the CSRF token like the page would.
        client.get(f"/cases/{code}/")
        csrf = client.cookies.get("csrftoken")
        if csrf is not None:
            headers["HTTP_X_CSRFTOKEN"] = csrf.value
        response = client.post(f"/api/cases/{code}/referrals/{referral.uuid}/accept", {"version": 1},
                               content_type="application/json", **headers)
    assert response.status_code == expected, response.content
    referral.refresh_from_db()
    assert referral.status == (Referral.Status.ACCEPTED if (action, expected) == ("accept", 200) else Referral.Status.SENT)
