"""The API's answer for paths no router has: the one error shape, not an HTML page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from madoguchi.platform.api.errors import error_body


def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    message = _("%(path)s という API はありません。一覧は /api/docs を見てください。") % {"path": request.path}
    return JsonResponse(error_body(404, "not_found", message), status=404, json_dumps_params={"ensure_ascii": False})
