"""The JSON API: one NinjaAPI, one router per app (each app's api.py)."""

from __future__ import annotations

from typing import Any

from ninja import Swagger

from madoguchi.api.openapi import complete_error_responses
from madoguchi.cases.api import router as cases_router
from madoguchi.catalog.api import router as catalog_router
from madoguchi.directory.api import router as directory_router
from madoguchi.events.api import router as events_router
from madoguchi.interop.api import router as hsds_router
from madoguchi.matching.api import router as matching_router
from madoguchi.platform.api.errors import ErrorShapeAPI, install_error_handlers
from madoguchi.reports.api import router as reports_router
from madoguchi.search.api import router as search_router


class MadoguchiAPI(ErrorShapeAPI):
    """The error-shaped API of platform/api/errors.py, whose OpenAPI schema is completed from
    what each operation is (openapi.py: the errors every operation can give, the registries)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return complete_error_responses(super().get_openapi_schema(*args, **kwargs))


api = MadoguchiAPI(
    title="madoguchi API",
    version="1",
    description="宮城県の新事業支援機関・支援事業の登録簿と、ワンストップ窓口の API。",
    urls_namespace="api",
    # With "ninja" in INSTALLED_APPS the page loads Swagger UI from our static files (CSP: self only).
    docs=Swagger(settings={"persistAuthorization": False}),
)
# Every router's errors (404, 422, ...) come out in the one shape of errors.py.
install_error_handlers(api)
api.add_router("", directory_router)
# /programs/{id}: directory's program with today's facts (type, status, deadline, amounts, source).
api.add_router("", catalog_router)
api.add_router("", search_router)
api.add_router("", cases_router)
api.add_router("", matching_router)
api.add_router("", events_router)
api.add_router("", reports_router)
# Open Referral HSDS 3.0, read-only: /api/hsds/organizations, /services, /taxonomies, /taxonomy_terms.
api.add_router("/hsds", hsds_router)
