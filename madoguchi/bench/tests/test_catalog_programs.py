"""`madoguchi bench programs`: its questions and its table (the run itself is measured by hand)."""

from __future__ import annotations

from madoguchi.bench.catalog.programs import questions, table
from madoguchi.catalog import areas


def test_questions_name_real_municipalities_and_repeat_with_the_seed() -> None:
    qs = questions(50)
    assert qs == questions(50) and len({q for q, _ in qs}) > 10
    assert all((area := areas.lookup(code)) is not None and not area.is_prefecture for _, code in qs)


def test_the_table_marks_each_target() -> None:
    timing = {"p50_ms": 1.0, "p95_ms": 25.0, "p99_ms": 30.0}
    figures = {
        "programs": 100_000, "queries": 500, "database": "sqlite", "import_rows_per_s": 2500.0, "import_s": 40.0,
        "index_s": 100.0, "madoguchi": {**timing, "mean_results": 9.5}, "madoguchi_no_filters": timing,
        "bm25s": {**timing, "build_s": 3.0, "rss_mb": 200.0}, "bm25s_post_filter": timing,
        "peak_rss_search_mb": 1500.0, "rss_after_load_mb": 1200.0, "load_s": 2.0, "peak_rss_import_index_mb": 3000.0,
    }
    text = table(figures)
    assert "2,500 rows/s" in text and "target ≥ 2,000 ✓" in text
    assert "target p95 ≤ 20 ✗" in text and "searching process 1,500 MB" in text
