"""The search's part in saved-search alerts: which programs a saved question finds.

The alerts themselves are the catalog's (catalog/alerts.py: saved searches, sends, feeds); the
catalog sits below the search, so SearchConfig.ready() hands it `program_slugs` to call
(catalog.alerts.use_search) instead of the catalog importing the search.
"""

from __future__ import annotations

import datetime as dt

from madoguchi.catalog.filters import ProgramFilters
from madoguchi.search.service import MAX_LIMIT, SearchError, search


def program_slugs(q: str, facets: dict[str, str | None], filters: ProgramFilters, now: dt.datetime) -> list[str]:
    """Return the slugs of the programs among the search's first MAX_LIMIT answers, as the page shows them.

    The search ranks within the program filters, so its first MAX_LIMIT are all candidates; a
    facet that no longer reads (a code retired) finds nothing.
    """
    try:
        response = search(q, limit=MAX_LIMIT, programs=filters, now=now, **facets)
    except SearchError:
        return []
    return [hit.id for hit in response.results if hit.kind == "program"]
