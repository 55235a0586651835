"""POST /api/consultations with an institution token; GET /api/cases/{code} under the page's rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from madoguchi.cases.models import Case, CaseRead, Referral
from madoguchi.directory.models import Organization
from madoguchi.platform.models import ApiToken


@pytest.fixture
def bob_token(bob: User) -> str:
    _row, raw = ApiToken.objects.issue(user=bob, name="B の受付システム")
    return raw


def _auth(raw: str) -> dict[str, Any]:  # the test client's **extra: typed Any by django-stubs
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def payload(sendai: Any, org_a: Organization) -> dict[str, Any]:
    return {"kind": "company", "name": "株式会社みやぎ食品", "corporate_number": "7000012050002",
            "municipality": "041009", "need": "販路開拓の相談", "consent": "platform"}


def test_an_institution_posts_a_consultation_with_its_token(
    csrf_client: HttpClient, bob_token: str, payload: dict[str, Any], org_b: Organization,
) -> None:
    # A header-token client needs no CSRF token (csrf_client enforces CSRF checks).
    response = csrf_client.post("/api/consultations", payload, content_type="application/json", **_auth(bob_token))
    assert response.status_code == 201, response.content
    case = Case.objects.get(code=response.json()["code"])
    assert case.owner == org_b  # the institution that took the consultation owns it
    assert response.json()["url"].endswith(f"/cases/{case.code}/")


def test_only_a_hash_of_the_token_is_stored(bob_token: str) -> None:
    row = ApiToken.objects.get()
    assert bob_token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64


def test_no_token_or_a_wrong_token_is_401(client: HttpClient, payload: dict[str, Any]) -> None:
    assert client.post("/api/consultations", payload, content_type="application/json").status_code == 401
    response = client.post("/api/consultations", payload, content_type="application/json", **_auth("mdg_wrong"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "parameter", "message"),
    [
        ({"corporate_number": "7000012050003"}, "corporate_number", "チェックデジット"),
        ({"consent": ""}, "consent", "同意がないと相談を受け付けられません"),
        ({"municipality": "999999"}, "municipality", "指定された市区町村は登録されていません"),
        ({"corporate_number": "٧٠٠٠٠١٢٠٥٠٠٠٢"}, "corporate_number", "法人番号は 0〜9 の数字（全角・半角）で入力してください"),
        ({"corporate_number": "T7000012050002"}, "corporate_number", "法人番号（13桁）を入力してください"),
    ],
)
def test_bad_input_gets_the_forms_japanese_message_in_the_error_shape(
    client: HttpClient, bob_token: str, payload: dict[str, Any], change: dict[str, Any], parameter: str, message: str,
) -> None:
    response = client.post("/api/consultations", {**payload, **change}, content_type="application/json", **_auth(bob_token))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["parameter"] == parameter and message in error["message"] and error["code"] == "invalid_parameter"
    assert not Case.objects.exists()


def test_a_read_only_members_token_cannot_post(client: HttpClient, dora: User, payload: dict[str, Any]) -> None:
    _row, raw = ApiToken.objects.issue(user=dora, name="閲覧")
    response = client.post("/api/consultations", payload, content_type="application/json", **_auth(raw))
    assert response.status_code == 403 and not Case.objects.exists()


def test_get_case_obeys_the_same_rules_as_the_page(
    client: HttpClient, referral: Referral, bob_token: str, charlie: User,
) -> None:
    code = referral.case.code
    response = client.get(f"/api/cases/{code}", **_auth(bob_token))
    assert response.status_code == 200
    assert response.json()["referrals"][0]["status"] == "sent"
    assert CaseRead.objects.get().via == "api"  # the read by B is logged
    _row, raw = ApiToken.objects.issue(user=charlie, name="C")
    outsider = client.get(f"/api/cases/{code}", **_auth(raw))
    assert outsider.status_code == 404 and outsider.json()["error"]["code"] == "not_found"


def test_the_client_reads_their_own_case_with_their_session(client: HttpClient, case: Case, other_client: Any) -> None:
    assert case.client.user is not None
    client.force_login(case.client.user)
    assert client.get(f"/api/cases/{case.code}").status_code == 200
    client.force_login(other_client.user)
    assert client.get(f"/api/cases/{case.code}").status_code == 404


def test_a_stale_version_is_409_in_the_api(client: HttpClient, referral: Referral, bob_token: str) -> None:
    url = f"/api/cases/{referral.case.code}/referrals/{referral.uuid}/accept"
    first = client.post(url, {"version": 1}, content_type="application/json", **_auth(bob_token))
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.post(url.replace("accept", "decline"), {"version": 1, "reason": "対象外"},
                         content_type="application/json", **_auth(bob_token))
    assert second.status_code == 409
    assert second.json()["error"] == {"status": 409, "code": "conflict", "parameter": None,
                                      "message": "この紹介は他の担当者が先に更新しました。画面を再読み込みしてください。"}


def test_the_sender_cannot_accept_its_own_referral_through_the_api(client: HttpClient, referral: Referral, alice: User) -> None:
    _row, raw = ApiToken.objects.issue(user=alice, name="A")
    url = f"/api/cases/{referral.case.code}/referrals/{referral.uuid}/accept"
    assert client.post(url, {"version": 1}, content_type="application/json", **_auth(raw)).status_code == 403


def test_session_posts_to_the_api_need_csrf(csrf_client: HttpClient, referral: Referral, bob: User) -> None:
    csrf_client.force_login(bob)
    url = f"/api/cases/{referral.case.code}/referrals/{referral.uuid}/accept"
    response = csrf_client.post(url, {"version": 1}, content_type="application/json")
    assert response.status_code in (401, 403)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_a_retry_with_the_same_idempotency_key_stores_one_case(
    client: HttpClient, bob_token: str, payload: dict[str, Any],
) -> None:
    headers = {**_auth(bob_token), "HTTP_IDEMPOTENCY_KEY": "b-system-20261128-0001"}
    first = client.post("/api/consultations", payload, content_type="application/json", **headers)
    again = client.post("/api/consultations", payload, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"] and Case.objects.count() == 1


def test_the_case_list_shows_what_the_institution_may_open(
    client: HttpClient, referral: Referral, bob_token: str, charlie: User, other_client: Any,
) -> None:
    from madoguchi.cases.tests.conftest import make_case

    make_case(other_client, referral.case.owner)  # not referred to B
    body = client.get("/api/cases?limit=10", **_auth(bob_token)).json()
    assert body["count"] == 1 and body["items"][0]["code"] == str(referral.case.code)
    _row, raw = ApiToken.objects.issue(user=charlie, name="C")
    assert client.get("/api/cases", **_auth(raw)).json() == {"count": 0, "items": []}
    client.force_login(other_client.user)
    assert client.get("/api/cases").json()["count"] == 1  # the other client's own case only


def test_a_read_only_member_can_read_but_not_answer_through_the_api(client: HttpClient, referral: Referral, dora: User) -> None:
    _row, raw = ApiToken.objects.issue(user=dora, name="閲覧")
    code = referral.case.code
    read = client.get(f"/api/cases/{code}", **_auth(raw))
    assert read.status_code == 200 and read.json()["can_write"] is False
    answer = client.post(f"/api/cases/{code}/referrals/{referral.uuid}/accept", {"version": 1},
                         content_type="application/json", **_auth(raw))
    assert answer.status_code == 403
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
