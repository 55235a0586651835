"""Query parameters every list endpoint shares, and pagination with a count.

All routers page the same way: `limit` 1..100 (default 20), `offset` >= 0, and answer
{"count": N, "items": [...]}; a client written against one list works against all:

    def list_things(request, limit: int = limit_param(), offset: int = offset_param()): ...
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from ninja import Query
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Deep offsets make the database walk and throw away rows; beyond this, filter instead.
MAX_OFFSET = 100_000


def choices_literal(choices: type[Any]) -> Any:
    """Return Literal["code", ...] for a TextChoices class, to type a query parameter.

    A Literal keeps the valid codes inline in OpenAPI (an Enum would become a shared
    component named "Kind" or "Code", and several apps have one of those), and an unknown
    value gives a 422 listing them.
    """
    return Literal[tuple(choices.values)]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# 団体コード as the registry stores them: 5 digits (04100), or 6 with the check digit
MUNICIPALITY_PATTERN = r"^[0-9]{5,6}$"
# an organization's or program's id in URLs (Django slugs)
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,100}$"
# a registry code loaded from data (分野): lower-case ASCII words joined by "_"
CODE_PATTERN = r"^[a-z0-9_]{1,50}$"


def _iso_date_only(value: Any) -> Any:
    # pydantic's lax mode reads 0 (and "0") as a Unix time, 1970-01-01; a client sending a
    # number meant something else, so only the ISO form the schema states is accepted.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_type", "Input should be an ISO 8601 date string (YYYY-MM-DD)")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only),
                    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"})]


def limit_param(default: int = DEFAULT_LIMIT) -> Any:
    return Query(default, ge=1, le=MAX_LIMIT, description="1 ページの件数（1〜100）")


def offset_param() -> Any:
    return Query(0, ge=0, le=MAX_OFFSET, description="先頭から飛ばす件数（0 以上）")


def paginate(queryset: QuerySet[Any], limit: int, offset: int) -> tuple[int, list[Any]]:
    """Return (total count, the page's rows): one COUNT, one page query, plus the prefetches."""
    count = queryset.count()
    if offset >= count:
        return count, []
    return count, list(queryset[offset : offset + limit])


def choice_label(choices: type[Any], value: str) -> str:
    """The Japanese label of a TextChoices value.

    get_FOO_display() hashes every lazy label of the field on each call (one gettext per
    choice); on a 100-item page that was a third of the time.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return value
