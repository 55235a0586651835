"""Query parameters every list endpoint shares, and pagination with a count.

All routers page the same way: `limit` 1..100 (default 20), `offset` >= 0, and answer
{"count": N, "items": [...]}; a client written against one list works against all:

    def list_things(request, limit: int = limit_param(), offset: int = offset_param()): ...
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet
from ninja import Query

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
    return Literal[tuple(choices.values)]  # type: ignore[valid-type]


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
