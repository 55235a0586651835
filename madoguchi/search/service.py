"""The one search behind the page, the API, the CLI, case suggestions and saved-search alerts.

`search()` asks search.live for this process's Corpus (the main index plus the documents changed
since, refreshed when IndexVersion moves) and ranks over it with search.engine. The rest of the
project imports the search from here: `search`, and what its answer and its errors are made of.
"""

from __future__ import annotations

from typing import Any

from madoguchi.catalog.filters import ProgramFilters
from madoguchi.search.corpus import Corpus
from madoguchi.search.engine import MAX_LIMIT, search_corpus
from madoguchi.search.live import refreshed
from madoguchi.search.query import MAX_QUERY_CHARS, SearchError
from madoguchi.search.results import Hit, SearchResponse

__all__ = [
    "MAX_LIMIT", "MAX_QUERY_CHARS", "Hit", "SearchError", "SearchResponse", "corpus_loaded", "current_corpus", "search",
]

_corpus: Corpus | None = None


def current_corpus() -> Corpus:
    """Return this process's Corpus: the main index plus the documents changed since (search.live)."""
    global _corpus
    _corpus = refreshed(_corpus)
    return _corpus


def corpus_loaded() -> bool:
    """Return whether this process holds a Corpus yet (its first search loads or builds it)."""
    return _corpus is not None


def search(
    query: str = "",
    *,
    function: str | None = None,
    stage: str | None = None,
    municipality: str | None = None,
    kind: str | None = None,
    field: str | None = None,
    limit: int = 10,
    programs: ProgramFilters | None = None,
    now: Any = None,
) -> SearchResponse:
    """Return the answer to a question over the current database (see search.engine)."""
    return search_corpus(
        current_corpus(), query, function=function, stage=stage, municipality=municipality,
        kind=kind, field=field, limit=limit, programs=programs, now=now,
    )
