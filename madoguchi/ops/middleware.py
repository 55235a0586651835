"""Request id, database-outage answer and replica choice: the outermost middleware (settings.MIDDLEWARE)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from madoguchi.ops import router
from madoguchi.ops.logs import request_id_var

request_logger = logging.getLogger("madoguchi.request")
logger = logging.getLogger(__name__)

# A proxy's id is kept only if it looks like one: it is copied into every log line.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
PIN_COOKIE = "madoguchi_primary"

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy or makes one; every log line of the request carries it,
    the response returns it, and one line per request records method, path, status and time."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # our attribute; HttpRequest does not declare it
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
            )
            return response
        finally:
            request_id_var.reset(token)


class DatabaseUnavailableMiddleware:
    """PostgreSQL away (restarting, failed over): answer 503 at once with Retry-After instead of a
    500 page; the broken connection is dropped, so the next request after it is back just works."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        from django.db import connections

        logger.error("database unavailable: %s", exception.__class__.__name__, exc_info=exception)
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        message = "ただいまデータベースに接続できません。しばらくしてからもう一度お試しください。"
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response: HttpResponse = JsonResponse({"detail": message, "code": "database_unavailable"},
                                                  status=503, json_dumps_params={"ensure_ascii": False})
        else:
            response = HttpResponse(render_to_string("ops/unavailable.html", {"message": message}), status=503)
        response["Retry-After"] = "5"
        return response


class ReplicaRoutingMiddleware:
    """Lets this request read the replica when nothing it reads can be this visitor's own recent
    write (see ops.router), and marks a visitor who wrote to read the primary for a while."""

    SAFE = ("GET", "HEAD")

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not router.replica_configured():
            return self.get_response(request)
        allowed = (
            request.method in self.SAFE
            and PIN_COOKIE not in request.COOKIES
            and settings.SESSION_COOKIE_NAME not in request.COOKIES  # signed in, or mid-form
            and "Authorization" not in request.headers  # API tokens: staff reading their own cases
        )
        allowed_token = router.replica_allowed.set(allowed)
        wrote_token = router.wrote.set(False)
        try:
            response = self.get_response(request)
            if router.wrote.get():
                response.set_cookie(PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                                    secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
            return response
        finally:
            router.replica_allowed.reset(allowed_token)
            router.wrote.reset(wrote_token)
