"""The matching API: same rules as the pages, errors in the one shape."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from madoguchi.cases.models import ApiToken
from madoguchi.matching import matches
from madoguchi.matching.models import Introduction, Listing


def login(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(c: Client, url: str, data: dict, **extra):
    return c.post(url, json.dumps(data, default=str), content_type="application/json", **extra)


def test_list_filters_and_pages(tech_set, order_set):
    data = login(None).get("/api/matching/listings?kind=supplier&limit=2").json()
    assert data["count"] == 3 and len(data["items"]) == 2
    assert {i["kind"] for i in data["items"]} == {"supplier"}
    assert login(None).get("/api/matching/listings?q=米ぬか").json()["items"][0]["title"] == "米ぬか由来の機能性食品素材"


def test_unknown_kind_is_a_422_in_the_one_shape(db):
    body = login(None).get("/api/matching/listings?kind=robot").json()
    assert body["error"]["status"] == 422 and body["error"]["parameter"] == "kind"


def test_unpublished_listing_is_404_in_the_one_shape(orgs, tech_set):
    tech_set["seed"].status = Listing.Status.PENDING
    tech_set["seed"].save()
    body = login(None).get(f"/api/matching/listings/{tech_set['seed'].uuid}").json()
    assert body["error"]["code"] == "not_found" and "見つかりませんでした" in body["error"]["message"]


def test_suggestions_with_reasons_for_the_owner(tech_set, users):
    matches.refresh(tech_set["need"])
    got = login(users["maker"]).get(f"/api/matching/listings/{tech_set['need'].uuid}/suggestions").json()
    assert got[0]["candidate"]["title"] == "ナノ構造による防曇・撥水コーティング"
    assert "分野が一致（自動車）" in got[0]["reasons"] and got[0]["rank"] == 1


@pytest.mark.parametrize("who, status", [(None, 401), ("vc", 404), ("univ", 404), ("coordinator", 200)])
def test_suggestions_are_not_for_others(tech_set, users, who, status):
    r = login(users[who] if who else None).get(f"/api/matching/listings/{tech_set['need'].uuid}/suggestions")
    assert r.status_code == status


def test_create_listing_by_token_goes_to_moderation(users, field_, stage, orgs):
    token, raw = ApiToken.objects.issue(user=users["vc"], name="test")
    r = post(Client(), "/api/matching/listings", {
        "kind": "investor", "title": "創業期のIoT企業への出資", "fields": ["it"], "stages": ["startup"],
        "amount_min": 1000, "amount_max": 3000}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 201, r.content
    listing = Listing.objects.get(uuid=r.json()["uuid"])
    assert listing.status == "pending" and listing.owner_organization == orgs["vc"]
    assert [s.code for s in listing.stages.all()] == ["startup"]


def test_create_listing_needs_authentication(db):
    r = post(Client(), "/api/matching/listings", {"kind": "seed", "title": "x"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_create_listing_names_the_wrong_parameter(users, field_):
    c = login(users["univ"])
    body = post(c, "/api/matching/listings", {"kind": "seed", "title": "x", "fields": ["space"]}).json()
    assert body["error"]["parameter"] == "fields" and "space" in body["error"]["message"]
    body = post(c, "/api/matching/listings", {"kind": "patent", "title": "番号なし"}).json()
    assert body["error"]["parameter"] == "patent_number"
    body = post(c, "/api/matching/listings", {"kind": "funding", "title": "逆", "amount_min": 500, "amount_max": 100}).json()
    assert body["error"]["status"] == 422


def test_readonly_member_cannot_create(users):
    r = post(login(users["readonly"]), "/api/matching/listings", {"kind": "need", "title": "x"})
    assert r.status_code == 403


def test_session_post_without_csrf_token_is_refused(users):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["univ"])
    r = post(c, "/api/matching/listings", {"kind": "seed", "title": "x"})
    assert r.status_code in (401, 403) and not Listing.objects.exists()


def test_request_introduction_is_idempotent(tech_set, users):
    c = login(users["maker"])
    url = f"/api/matching/listings/{tech_set['need'].uuid}/introductions"
    first = post(c, url, {"candidate": str(tech_set["seed"].uuid), "message": "評価したい"})
    again = post(c, url, {"candidate": str(tech_set["seed"].uuid)})
    assert first.status_code == again.status_code == 201
    assert first.json()["uuid"] == again.json()["uuid"] and Introduction.objects.count() == 1


def test_request_introduction_for_someone_elses_listing_is_403(tech_set, users):
    r = post(login(users["vc"]), f"/api/matching/listings/{tech_set['need'].uuid}/introductions",
             {"candidate": str(tech_set["seed"].uuid)})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_request_introduction_to_a_kind_that_does_not_pair_is_422(tech_set, job_set, users):
    r = post(login(users["maker"]), f"/api/matching/listings/{tech_set['need'].uuid}/introductions",
             {"candidate": str(job_set["seeker"].uuid)})
    assert r.status_code == 422 and "組み合わせられない" in r.json()["error"]["message"]


def test_anonymous_post_with_csrf_checks_is_401_not_a_csrf_error(db):
    # a real client: CSRF enforced, no session; what it lacks is a login, not a token
    r = post(Client(enforce_csrf_checks=True), "/api/matching/listings", {"kind": "seed", "title": "x"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_logged_in_post_without_csrf_token_is_still_403_csrf(users):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["univ"])
    r = post(c, "/api/matching/listings", {"kind": "seed", "title": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"


@pytest.mark.parametrize("value", [0, 1700000000, "0", "2026/04/01", "2026-04-01T00:00:00"])
def test_dates_accept_iso_strings_only(users, value):
    c = login(users["univ"])
    r = post(c, "/api/matching/listings", {"kind": "seed", "title": "x", "deadline": value})
    assert r.status_code == 422 and r.json()["error"]["parameter"] == "deadline", r.content
    assert "日付（例: 2026-04-01）" in r.json()["error"]["message"] and not Listing.objects.exists()
    r = post(c, "/api/matching/listings", {"kind": "seed", "title": "x", "deadline": "2026-04-01"})
    assert r.status_code == 201 and Listing.objects.get().deadline.isoformat() == "2026-04-01"


def test_openapi_states_codes_formats_and_every_error(users, field_, stage):
    spec = Client().get("/api/openapi.json").json()
    post_op = spec["paths"]["/api/matching/listings"]["post"]
    assert {"201", "401", "403", "422"} <= set(post_op["responses"])
    body = spec["components"]["schemas"]["ListingIn"]["properties"]
    assert body["deadline"]["anyOf"][0] == {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    assert body["fields"]["items"]["enum"] == sorted(field_)
    search = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert search["stage"]["enum"] == ["pre_startup", "startup", "growth", "mature", "new_field"]
    assert "tech_dev" in search["function"]["enum"] and "organization" in search["kind"]["enum"]
    one = spec["paths"]["/api/matching/listings/{listing_uuid}"]["get"]["responses"]
    assert one["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_an_unknown_field_filter_is_422_not_an_empty_page(field_):
    r = Client().get("/api/matching/listings", {"field": "space"})
    assert r.status_code == 422 and r.json()["error"]["parameter"] == "field"


def test_amounts_must_be_json_integers(users):
    c = login(users["vc"])
    r = post(c, "/api/matching/listings", {"kind": "investor", "title": "出資", "amount_min": "100"})
    assert r.status_code == 422 and r.json()["error"]["parameter"] == "amount_min"
    r = post(c, "/api/matching/listings", {"kind": "investor", "title": "出資", "amount_min": 100.0})
    assert r.status_code == 422 and not Listing.objects.exists()


def test_the_owner_reads_back_with_its_token_what_it_just_created(users, orgs):
    _token, raw = ApiToken.objects.issue(user=users["vc"], name="test")
    created = post(Client(), "/api/matching/listings", {"kind": "investor", "title": "出資"},
                   HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    url = f"/api/matching/listings/{created['uuid']}"
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert Client().get(url).status_code == 404  # waits for review: hidden from others
