"""Where a case might be referred: the one-stop search run on the case's need.

The coordinator's case page lists these institutions and programs (おすすめの支援機関・制度) to
refer the case to; they are search hits, not matching's listing suggestions.
"""

from __future__ import annotations

import logging
from typing import Any

from madoguchi.cases.models import Case

log = logging.getLogger(__name__)

MAX_QUERY = 400  # the search caps questions; the opening of a consultation carries its gist


def for_case(case: Case, limit: int = 8) -> list[Any] | None:
    """Return the search's hits for the case's need, or None when the search is not available."""
    try:
        from madoguchi.search.service import search
    except ImportError:
        return None
    try:
        municipality = case.municipality.code if case.municipality is not None else None
        response = search(case.need[:MAX_QUERY], municipality=municipality, limit=limit)
    except Exception as exc:  # a suggestion must never break the case page
        log.warning("suggestions for case %s failed: %s", case.code, exc)
        return None
    return list(response.results)
