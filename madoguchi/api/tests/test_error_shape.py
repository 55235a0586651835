"""Every API error has one shape: {"error": {"status", "code", "message", "parameter"}}."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from madoguchi.platform.api.errors import error_body, validation_message


def assert_error(response, status: int, code: str, parameter: str | None) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "parameter"}
    assert error["status"] == status
    assert error["code"] == code
    assert error["parameter"] == parameter
    assert error["message"] and not error["message"].isascii(), "messages are Japanese"
    return error


@pytest.mark.parametrize("url", ["/api/organizations/nope", "/api/programs/nope", "/api/events/nope"])
def test_unknown_id_gives_404_in_the_one_shape(client: Client, db: None, url: str) -> None:
    error = assert_error(client.get(url), 404, "not_found", None)
    assert "nope" in error["message"]


@pytest.mark.parametrize("url", ["/api/organizations", "/api/programs", "/api/events"])
@pytest.mark.parametrize("value", ["0", "101", "abc", "-5"])
def test_bad_limit_gives_422_naming_limit(client: Client, db: None, url: str, value: str) -> None:
    error = assert_error(client.get(f"{url}?limit={value}"), 422, "invalid_parameter", "limit")
    assert error["message"] == "limit は 1 以上 100 以下の整数で指定してください。"


@pytest.mark.parametrize("value", ["-1", "x"])
def test_bad_offset_gives_422_naming_offset(client: Client, db: None, value: str) -> None:
    error = assert_error(client.get(f"/api/organizations?offset={value}"), 422, "invalid_parameter", "offset")
    assert error["message"].startswith("offset は 0 以上")


@pytest.mark.parametrize("url", ["/api/organizations", "/api/programs", "/api/events"])
def test_unknown_function_code_gives_422_listing_the_valid_codes(client: Client, db: None, url: str) -> None:
    error = assert_error(client.get(f"{url}?function=cooking"), 422, "invalid_parameter", "function")
    for code in ("tech_dev", "tech_transfer", "startup", "finance", "management", "market", "market_info", "talent"):
        assert code in error["message"]


def test_unknown_kind_gives_422_naming_kind(client: Client, db: None) -> None:
    error = assert_error(client.get("/api/organizations?kind=bank"), 422, "invalid_parameter", "kind")
    assert "core" in error["message"] and "support" in error["message"]


def test_unknown_municipality_gives_422_naming_it(client: Client, db: None) -> None:
    error = assert_error(client.get("/api/organizations?municipality=999999"), 422, "invalid_parameter", "municipality")
    assert "999999" in error["message"]


def test_unknown_organization_filter_on_programs_gives_422(client: Client, db: None) -> None:
    assert_error(client.get("/api/programs?organization=nobody"), 422, "invalid_parameter", "organization")


def test_unknown_category_gives_422_naming_category(client: Client, db: None) -> None:
    assert_error(client.get("/api/programs?category=lottery"), 422, "invalid_parameter", "category")


def test_error_body_is_the_documented_shape() -> None:
    assert error_body(404, "not_found", "見つかりません") == {
        "error": {"status": 404, "code": "not_found", "message": "見つかりません", "parameter": None}
    }


def test_a_json_body_field_is_named_without_the_schema_argument() -> None:
    with translation.override("ja"):
        name, message = validation_message({"type": "missing", "loc": ("body", "payload", "email"), "msg": "x"})

    assert name == "email"
    assert message == "email を指定してください。"


def test_ninjas_own_http_errors_get_the_shape_and_a_japanese_message() -> None:
    from django.test import RequestFactory
    from ninja.errors import AuthenticationError, HttpError

    from madoguchi.api.api import api

    request = RequestFactory().get("/api/x")
    with translation.override("ja"):  # outside a request, so no LocaleMiddleware
        unauthorised = api.on_exception(request, AuthenticationError())
        csrf = api.on_exception(request, HttpError(403, "CSRF check Failed"))

    assert json_error(unauthorised) == (401, "unauthorized")
    assert json_error(csrf) == (403, "csrf_failed")


def json_error(response) -> tuple[int, str]:
    import json

    error = json.loads(response.content)["error"]
    assert set(error) == {"status", "code", "message", "parameter"}
    assert not error["message"].isascii()
    assert error["status"] == response.status_code
    return error["status"], error["code"]


def test_an_unknown_api_path_answers_in_the_one_shape(client: Client, db: None) -> None:
    error = assert_error(client.get("/api/no-such-endpoint"), 404, "not_found", None)
    assert "/api/no-such-endpoint" in error["message"]


def test_a_wrong_method_answers_405_in_the_one_shape_with_allow(client: Client, db: None) -> None:
    response = client.delete("/api/organizations")

    error = assert_error(response, 405, "method_not_allowed", None)
    assert "GET" in response["Allow"]
    assert "DELETE" in error["message"]


def test_a_query_parameter_given_twice_is_refused_in_the_one_shape(client, db) -> None:
    response = client.get("/api/matching/listings?field=it&field=food")
    assert response.status_code == 422
    assert response.json()["error"] == {"status": 422, "code": "invalid_parameter", "parameter": "field",
                                        "message": "field は 1 回だけ指定してください。"}
