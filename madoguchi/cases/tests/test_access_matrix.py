"""Every role × every action on one case, through the real views.

The case is owned by the core institution A and referred to B (not yet answered).
OK means the page or change worked; 403/404 mean it was refused and nothing changed;
LOGIN means the anonymous visitor was sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Case, Referral
from madoguchi.cases.tests.conftest import make_case

OK, LOGIN = "ok", "login"
ROLES = ["owner_staff", "receiver_staff", "uninvolved_staff", "readonly", "coordinator", "client", "other_client", "anonymous"]

EXPECTED: dict[str, list[Any]] = {
    #        owner  receiver uninvolved readonly coordinator client other_client anonymous
    "view":   [OK,   OK,      404,       OK,      OK,         OK,    404,         LOGIN],
    "note":   [OK,   OK,      404,       403,     OK,         403,   404,         LOGIN],
    "refer":  [OK,   OK,      404,       403,     OK,         403,   404,         LOGIN],
    "accept": [403,  OK,      404,       403,     403,        403,   404,         LOGIN],
    "close":  [OK,   403,     404,       403,     OK,         403,   404,         LOGIN],
    "export": [OK,   403,     404,       403,     OK,         OK,    404,         LOGIN],
}
CASES = [(role, action, expected[i]) for action, expected in EXPECTED.items() for i, role in enumerate(ROLES)]


def _state(case: Case) -> tuple[int, int, str, str]:
    case.refresh_from_db()
    statuses = ",".join(case.referrals.order_by("pk").values_list("status", flat=True))
    return case.activities.count(), case.referrals.count(), statuses, case.status


def _request(http: HttpClient, action: str, case: Case, referral: Referral) -> Any:
    code = case.code
    requests: dict[str, Callable[[], Any]] = {
        "view": lambda: http.get(reverse("cases:case", args=[code])),
        "note": lambda: http.post(reverse("cases:note", args=[code]), {"text": "電話で状況を確認"}),
        "refer": lambda: http.post(reverse("cases:refer", args=[code]), {"to_org": "tohoku-bureau", "message": "補助金の件"}),
        "accept": lambda: http.post(reverse("cases:referral_action", args=[code, referral.uuid, "accept"]),
                                    {"version": referral.version}),
        "close": lambda: http.post(reverse("cases:close", args=[code]), {"outcome": "info_only"}),
        "export": lambda: http.get(reverse("cases:export", args=[code])),
    }
    return requests[action]()


@pytest.mark.parametrize(("role", "action", "expected"), CASES, ids=[f"{r}-{a}" for r, a, _e in CASES])
def test_role_action_matrix(
    role: str, action: str, expected: Any, case: Case, referral: Referral, alice: User, bob: User, charlie: User,
    dora: User, cora: User, other_client: Any, org_c: Any, client: HttpClient,
) -> None:
    make_case(other_client, case.owner)  # the other client has a case of their own
    users = {"owner_staff": alice, "receiver_staff": bob, "uninvolved_staff": charlie, "readonly": dora,
             "coordinator": cora, "client": case.client.user, "other_client": other_client.user, "anonymous": None}
    if users[role] is not None:
        client.force_login(users[role])
    before = _state(case)

    response = _request(client, action, case, referral)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert _state(case) == before
    elif expected == OK:
        assert response.status_code in (200, 302), response.content[:500]
        if action in ("view", "export"):
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
            assert _state(case) != before
    else:
        assert response.status_code == expected
        assert _state(case) == before


def test_export_contains_the_clients_own_data(case: Case, client: HttpClient) -> None:
    assert case.client.user is not None
    client.force_login(case.client.user)
    data = client.get(reverse("cases:export", args=[case.code])).json()
    assert data["client"]["name"] == "山田太郎"
    assert [c["code"] for c in data["cases"]] == [str(case.code)]
