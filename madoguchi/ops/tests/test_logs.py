"""Every log line is one JSON object carrying the id of its request, which the response returns."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from madoguchi.ops.logs import JsonFormatter, RequestIdFilter

view_logger = logging.getLogger("madoguchi.tests.view")


def _view(request: HttpRequest) -> HttpResponse:
    view_logger.warning("相談を受け付けました", extra={"case": 42})
    return HttpResponse("ok")


urlpatterns = [path("logged/", _view)]


@pytest.fixture
def log_lines():
    """The project's own handler set-up (filter + JSON formatter) on a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)


@override_settings(ROOT_URLCONF=__name__)
def test_every_line_of_a_request_carries_the_id_the_proxy_sent(log_lines) -> None:
    response = Client().get("/logged/", headers={"X-Request-ID": "edge-7f3a"})
    assert response["X-Request-ID"] == "edge-7f3a"
    lines = log_lines()
    mine = [line for line in lines if line["logger"] == "madoguchi.tests.view"]
    assert mine == [{**mine[0], "message": "相談を受け付けました", "case": 42, "request_id": "edge-7f3a",
                     "level": "WARNING"}]
    access = [line for line in lines if line["logger"] == "madoguchi.request"]
    assert access[0]["status"] == 200 and access[0]["path"] == "/logged/" and access[0]["request_id"] == "edge-7f3a"
    assert all(line["request_id"] == "edge-7f3a" for line in lines)


@override_settings(ROOT_URLCONF=__name__)
def test_a_request_without_an_id_or_with_a_bad_one_gets_a_fresh_one(log_lines) -> None:
    first = Client().get("/logged/")["X-Request-ID"]
    second = Client().get("/logged/", headers={"X-Request-ID": "bad id\nwith newline"})["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second
    ids = {line["request_id"] for line in log_lines() if line["logger"] == "madoguchi.tests.view"}
    assert ids == {first, second}


def test_lines_outside_a_request_have_no_id_and_exceptions_are_kept(log_lines) -> None:
    try:
        raise ValueError("壊れた行")
    except ValueError:
        view_logger.exception("worker failed")
    (line,) = [line for line in log_lines() if line["logger"] == "madoguchi.tests.view"]
    assert line["request_id"] is None
    assert "ValueError: 壊れた行" in line["exception"]
