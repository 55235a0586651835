"""Probes for the load balancer and the orchestrator: thin views over ops.readiness."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from madoguchi.ops import readiness


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the process can answer at all; touches nothing else (a restart would not help)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when this process should get traffic, else 503 with the reason."""
    found = readiness.problems()
    if found:
        problem = found[0]
        return JsonResponse({"status": "unavailable", "reason": problem.reason, "detail": problem.detail},
                            status=503, json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"status": "ok"})
