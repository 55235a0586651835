"""GET /api/search: the same search() as the page and the CLI, as JSON."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from madoguchi.api.errors import ErrorOut, invalid_parameter
from madoguchi.api.params import CODE_PATTERN, MUNICIPALITY_PATTERN, StageCode, choices_literal
from madoguchi.directory.models import SupportFunction
from madoguchi.search.engine import MAX_LIMIT, MAX_QUERY_CHARS, SearchError, SearchResponse, search

router = Router(tags=["search"])

FunctionCode = choices_literal(SupportFunction.Code)


def _search_kinds() -> Any:
    # the built-in kinds and those other apps registered (events, ...) when this module loads
    from madoguchi.search.facets import KIND_LABELS
    from madoguchi.search.registry import REGISTRY

    return Literal[tuple(dict.fromkeys([*KIND_LABELS, *REGISTRY]))]  # type: ignore[valid-type]


SearchKind = _search_kinds()


class FacetOut(Schema):
    type: str
    code: str
    label: str
    source: str


class HitOut(Schema):
    kind: str
    id: str
    name: str
    organization: str | None
    organization_id: str | None
    score: float
    reasons: list[str]
    url: str


class SearchOut(Schema):
    query: str
    notice: str | None
    diagnosis_entry: bool
    facets: list[FacetOut]
    results: list[HitOut]


def response_dict(response: SearchResponse) -> dict[str, Any]:
    return {
        "query": response.query,
        "notice": response.notice,
        "diagnosis_entry": response.diagnosis_entry,
        "facets": [{"type": f.type, "code": f.code, "label": f.label, "source": f.source} for f in response.facets],
        "results": [h.as_dict() for h in response.results],
    }


@router.get("/search", response={200: SearchOut, 422: ErrorOut}, summary="ワンストップ検索")
def search_api(
    request: HttpRequest,
    q: str = Query("", description=f"質問（日本語・英語）。{MAX_QUERY_CHARS} 文字を超える分は切り捨てて検索し、notice で知らせる"),
    function: FunctionCode | None = Query(None, description="支援機能コード"),  # type: ignore[valid-type]
    stage: StageCode | None = Query(None, description="事業段階コード"),  # type: ignore[valid-type]
    municipality: str | None = Query(None, pattern=MUNICIPALITY_PATTERN, description="市区町村の団体コード（並べ替えにのみ使う）"),
    kind: SearchKind | None = Query(None, description="種類"),  # type: ignore[valid-type]
    field: str | None = Query(None, pattern=CODE_PATTERN, description="分野コード"),
    limit: int = Query(10, ge=1, le=MAX_LIMIT, description=f"件数（1〜{MAX_LIMIT}）"),
) -> dict[str, Any]:
    """Institutions and programs for a question, each with its reasons; facets read from the question."""
    try:
        response = search(q, function=function, stage=stage, municipality=municipality, kind=kind, field=field, limit=limit)
    except SearchError as exc:
        raise invalid_parameter(exc.parameter, exc.message) from exc
    return response_dict(response)
