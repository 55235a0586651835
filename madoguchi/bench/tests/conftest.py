"""Fixtures of the benchmark tests: those of the search tests, whose commands they run."""

from __future__ import annotations

# One definition of each: the per-process corpus emptied around every test (autouse) and the
# indexed 2005 plan, exactly as the search tests get them.
from madoguchi.search.tests.conftest import _fresh_corpus, indexed_plan  # noqa: F401  fixtures, found by name
