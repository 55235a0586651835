"""One error shape for the whole JSON API, made by one helper.

Every error any router returns looks like this (fixed by madoguchi/api/tests/test_error_shape.py):

    {"error": {"status": 422, "code": "invalid_parameter",
               "message": "limit は 1 以上 100 以下の整数で指定してください。", "parameter": "limit"}}

Routers raise `ApiError` (or the shortcuts `not_found()` / `invalid_parameter()`), or let
Http404 and ninja's ValidationError escape; `install_error_handlers(api)` turns all of them
into this shape, so search, cases, matching and the rest need no handler of their own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, get_args

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError

# The code that goes with each status when a router (or ninja itself) gives only a status.
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_parameter",
    429: "rate_limited",
    500: "server_error",
}


def _default_message(status: int) -> str:
    messages = {
        400: _("リクエストの形式が正しくありません。"),
        401: _("認証が必要です。Authorization ヘッダーにトークンを指定してください。"),
        403: _("この操作を行う権限がありません。"),
        404: _("指定されたデータは見つかりませんでした。"),
        405: _("このメソッドは使えません。"),
        409: _("他の更新と競合しました。もう一度お試しください。"),
        429: _("リクエストが多すぎます。しばらく待ってからもう一度お試しください。"),
    }
    return messages.get(status, _("エラーが発生しました。"))


def error_body(status: int, code: str, message: str, parameter: str | None = None) -> dict[str, Any]:
    """Return the one error shape: {"error": {"status", "code", "message", "parameter"}}."""
    return {"error": {"status": status, "code": code, "message": str(message), "parameter": parameter}}


class ErrorDetail(Schema):
    status: int
    code: str
    message: str
    parameter: str | None


class ErrorOut(Schema):
    """The error shape, for routers' `response={404: ErrorOut, 422: ErrorOut}` in OpenAPI."""

    error: ErrorDetail


class ApiError(HttpError):
    """An error a router raises on purpose, already carrying its code and Japanese message."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None) -> None:
        super().__init__(status, str(message))
        self.code = code
        self.parameter = parameter

    def body(self) -> dict[str, Any]:
        return error_body(self.status_code, self.code, self.message, self.parameter)


def not_found(message: str) -> ApiError:
    """Return (for `raise`) a 404 with a message saying what was not found."""
    return ApiError(404, "not_found", message)


def invalid_parameter(parameter: str, message: str) -> ApiError:
    """Return (for `raise`) a 422 naming the parameter that was wrong."""
    return ApiError(422, "invalid_parameter", message, parameter=parameter)


def validation_message(error: dict[str, Any]) -> tuple[str | None, str]:
    """Return (parameter name, Japanese message) for one pydantic/ninja error dict.

    `ctx` may carry the parameter's full bounds ("ge" and "le" together) when the API was
    built with `ErrorShapeAPI`, which looks them up on the parameter's field; pydantic itself
    reports only the bound that was broken.
    """
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    # loc is (source, name, ...): "query", "limit". A body field keeps its path: "body.email".
    parts = loc[1:] if loc and loc[0] in ("query", "path", "header", "cookie", "form", "body", "file") else loc
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # drop the schema argument's own name
    name = ".".join(parts) or None
    shown = name or _("リクエスト")
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    ge, le = ctx.get("ge", ctx.get("_ge")), ctx.get("le", ctx.get("_le"))
    integer = ctx.get("_integer", kind == "int_parsing")

    if ge is not None and le is not None and kind in ("greater_than_equal", "less_than_equal", "int_parsing"):
        if integer:
            return name, _("%(name)s は %(ge)s 以上 %(le)s 以下の整数で指定してください。") % {"name": shown, "ge": ge, "le": le}
        return name, _("%(name)s は %(ge)s 以上 %(le)s 以下で指定してください。") % {"name": shown, "ge": ge, "le": le}
    if kind == "greater_than_equal" or (kind == "int_parsing" and ge is not None):
        return name, _("%(name)s は %(ge)s 以上の整数で指定してください。") % {"name": shown, "ge": ge}
    if kind == "less_than_equal":
        return name, _("%(name)s は %(le)s 以下で指定してください。") % {"name": shown, "le": le}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return name, _("%(name)s は整数で指定してください。") % {"name": shown}
    if kind in ("enum", "literal_error"):
        return name, _("%(name)s「%(value)s」は選べません。次のいずれかで指定してください: %(expected)s") % {
            "name": shown, "value": str(error.get("input", ""))[:50], "expected": ctx.get("expected", "")}
    if kind == "missing":
        return name, _("%(name)s を指定してください。") % {"name": shown}
    if kind == "string_too_long":
        return name, _("%(name)s は %(max)s 文字以内で指定してください。") % {"name": shown, "max": ctx.get("max_length")}
    if kind == "string_too_short":
        return name, _("%(name)s は %(min)s 文字以上で指定してください。") % {"name": shown, "min": ctx.get("min_length")}
    if kind == "string_pattern_mismatch":
        return name, _("%(name)s「%(value)s」は形式が正しくありません（%(pattern)s）。") % {
            "name": shown, "value": str(error.get("input", ""))[:50], "pattern": ctx.get("pattern", "")}
    if kind in ("bool_parsing", "bool_type"):
        return name, _("%(name)s は true または false で指定してください。") % {"name": shown}
    if kind.startswith(("date", "datetime")):
        return name, _("%(name)s は日付（例: 2026-04-01）で指定してください。") % {"name": shown}
    if kind.startswith("uuid"):
        return name, _("%(name)s は UUID で指定してください。") % {"name": shown}
    if kind == "json_invalid":
        return name, _("リクエスト本文が正しい JSON ではありません。")
    return name, _("%(name)s の値が正しくありません。") % {"name": shown}


def _is_int(annotation: Any) -> bool:
    """True for int, Optional[int] and Annotated[int, ...]."""
    if annotation is int:
        return True
    return any(_is_int(arg) for arg in get_args(annotation))


class ErrorShapeAPI(NinjaAPI):
    """NinjaAPI that passes each parameter's full numeric bounds to the error messages,
    answers a wrong method (405) in the error shape too and refuses a repeated query parameter.
    (The project's API, madoguchi/api/api.py, also completes its OpenAPI schema.)"""

    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern) and pattern.name not in ("openapi-json", "openapi-view"):
                pattern.callback = _json_not_allowed(pattern.callback)
        return urls

    def validation_error_from_error_contexts(self, error_contexts: list[Any]) -> ValidationError:
        bounds: dict[tuple[Any, ...], dict[str, Any]] = {}
        for context in error_contexts:
            model = context.model
            for field_name, field in getattr(model, "model_fields", {}).items():
                found: dict[str, Any] = {"_integer": _is_int(field.annotation)}
                for meta in field.metadata:
                    for attr in ("ge", "le"):
                        if getattr(meta, attr, None) is not None:
                            found[f"_{attr}"] = getattr(meta, attr)
                loc = (model.__ninja_param_source__,) + model.__ninja_flatten_map_reverse__.get(
                    (field_name,), (field_name,))
                bounds[loc] = found
        exc = super().validation_error_from_error_contexts(error_contexts)
        for error in exc.errors:
            extra = bounds.get(tuple(error.get("loc", ())))
            if extra:
                error["ctx"] = {**extra, **(error.get("ctx") or {})}
        return exc


def _json_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a ninja path view so a wrong method gets the error shape, keeping the Allow header,
    and a query parameter given twice is refused.

    ninja answers 405 itself with a plain-text body, outside the exception handlers.
    """

    @functools.wraps(view)  # keeps csrf_exempt, which ninja sets on its views
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        repeated = next((name for name, values in request.GET.lists() if len(values) > 1), None)
        if repeated is not None:
            # no query parameter of this API is a list; ninja would silently keep the last value
            body = error_body(422, "invalid_parameter", _("%(name)s は 1 回だけ指定してください。") % {"name": repeated},
                              repeated)
            return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            body = error_body(405, "method_not_allowed", _("%(method)s は使えません。使えるメソッド: %(allow)s") % {
                "method": request.method, "allow": response["Allow"]})
            json_response = JsonResponse(body, status=405, json_dumps_params={"ensure_ascii": False})
            json_response["Allow"] = response["Allow"]
            return json_response
        return response

    return wrapper


def _respond(api: NinjaAPI, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=body["error"]["status"])


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error of every router come out in the one shape."""

    # The decorator form: add_exception_handler's own type wants handlers of the class too.
    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # Name the first problem only: a person fixes one parameter at a time, and a client
        # matching on `parameter` needs one value, not a list.
        first = dict(exc.errors[0]) if exc.errors else {}
        loc: Sequence[Any] = first.get("loc") or ()
        if "input" not in first and len(loc) == 2 and loc[0] == "query":
            # ninja leaves the input out of its errors; a query value is worth echoing back
            first["input"] = request.GET.get(str(loc[1]), "")
        parameter, message = validation_message(first)
        return _respond(api, request, error_body(422, "invalid_parameter", message, parameter))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, ApiError):
            return _respond(api, request, exc.body())
        status = exc.status_code
        message = exc.message
        if status == 403 and "CSRF" in message:
            # ninja's cookie auth (django_auth) refuses an unsafe request without the token.
            return _respond(api, request, error_body(403, "csrf_failed", _(
                "CSRF トークンがないか、正しくありません。X-CSRFToken ヘッダーに csrftoken クッキーの値を指定してください。")))
        # ninja's own errors (AuthenticationError, Throttled) carry English defaults.
        if not message or message.isascii():
            message = _default_message(status)
        return _respond(api, request, error_body(status, STATUS_CODES.get(status, "error"), message))

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Django's own 404 messages are English and name models; say what the client asked for.
        message = _("%(path)s は見つかりませんでした。") % {"path": request.path}
        return _respond(api, request, error_body(404, "not_found", message))
