"""Fixtures of the search tests: a fresh per-process corpus, and the plan with its index."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.search import service


@pytest.fixture(autouse=True)
def _fresh_corpus() -> Any:
    # The corpus is cached per process; each test has its own database contents.
    service._corpus = None
    yield
    service._corpus = None


@pytest.fixture
def indexed_plan(plan: Any) -> Any:
    """The 2005 plan loaded and indexed, as `madoguchi load-plan && madoguchi reindex` do.

    The loader inserts in bulk (no save signals), so the index is rebuilt explicitly.
    """
    from madoguchi.search.documents import rebuild_all

    rebuild_all()
    return plan
