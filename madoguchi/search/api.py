"""GET /api/search: the same search() as the page and the CLI, as JSON."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from madoguchi.catalog.filters import FilterError, ProgramFilters
from madoguchi.catalog.models import ProgramType
from madoguchi.directory.models import SupportFunction
from madoguchi.platform.api.errors import ErrorOut, invalid_parameter
from madoguchi.platform.api.params import CODE_PATTERN, MUNICIPALITY_PATTERN, IsoDate, choices_literal
from madoguchi.search.facets import StageCode
from madoguchi.search.service import MAX_LIMIT, MAX_QUERY_CHARS, SearchError, SearchResponse, search

router = Router(tags=["search"])
# The API takes the six-digit code only (the page also reads names and shorter forms); the
# schema lists the codes that exist (api/openapi.py registry_codes).
AREA_PATTERN = r"^[0-9]{6}$"
ProgramTypeCode = choices_literal(ProgramType)

FunctionCode = choices_literal(SupportFunction.Code)


def _search_kinds() -> Any:
    # the built-in kinds and those other apps registered (events, ...) when this module loads
    from madoguchi.search.facets import KIND_LABELS
    from madoguchi.search.registry import REGISTRY

    return Literal[tuple(dict.fromkeys([*KIND_LABELS, *REGISTRY]))]


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
    # A catalog program's facts (None for institutions, facilities and the plan's programs).
    type: str | None = None
    status: str | None = None
    status_label: str | None = None
    closes: str | None = None
    amount_max: int | None = None
    area_codes: list[str] | None = None
    source: str | None = None
    attribution: str | None = None
    program_url: str | None = None


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
    function: FunctionCode | None = Query(None, description="支援機能コード"),  # type: ignore[valid-type]  # a Literal built from the choices at import
    stage: StageCode | None = Query(None, description="事業段階コード"),
    municipality: str | None = Query(None, pattern=MUNICIPALITY_PATTERN, description="市区町村の団体コード（並べ替えにのみ使う）"),
    kind: SearchKind | None = Query(None, description="種類"),  # type: ignore[valid-type]  # a Literal of the registered kinds, built at import
    field: str | None = Query(None, pattern=CODE_PATTERN, description="分野コード"),
    limit: int = Query(10, ge=1, le=MAX_LIMIT, description=f"件数（1〜{MAX_LIMIT}）"),
    open: bool = Query(False, description="受付中・締切間近の制度だけ（通年・予定は含まない）"),
    closes_before: IsoDate | None = Query(None, description="この日（YYYY-MM-DD）の終わりまでに締め切る、まだ締め切っていない制度だけ"),
    area: str | None = Query(None, pattern=AREA_PATTERN, description="全国地方公共団体コード（6桁、例: 041009）。その地域・その県・全国の制度だけ"),
    type: ProgramTypeCode | None = Query(None, description="制度の種別"),  # type: ignore[valid-type]  # a Literal built from the choices at import
    amount_min: int | None = Query(None, ge=0, le=10**13, description="上限額がこの額（円）以上の制度だけ。上限額不明の制度は除く（画面と CLI は 500万円 の形も読む）"),
    employees: int | None = Query(None, ge=0, le=10**7, description="従業員がこの人数の事業者が対象になる制度だけ（対象従業員数の上限がこれ以上、または上限なし）"),
) -> dict[str, Any]:
    """Institutions and programs for a question, each with its reasons; facets read from the question.

    Any program filter (open, closes_before, area, type, amount_min, employees) narrows the answer
    to catalog programs; each program result carries type, status, closes, amount_max, area_codes, source.
    """
    try:
        programs = ProgramFilters.from_params({
            "open": open, "closes_before": closes_before.isoformat() if closes_before else None, "area": area,
            "type": type, "amount_min": None if amount_min is None else str(amount_min),
            "employees": None if employees is None else str(employees)})
    except FilterError as exc:
        raise invalid_parameter(exc.parameter, exc.message) from exc
    try:
        response = search(q, function=function, stage=stage, municipality=municipality, kind=kind, field=field,
                          limit=limit, programs=programs)
    except SearchError as exc:
        raise invalid_parameter(exc.parameter, exc.message) from exc
    return response_dict(response)
