"""`madoguchi bench search-speed`: the generator and the output shape (no timing assertions)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from madoguchi.bench.search.generate import FUNCTIONS, MUNICIPALITIES, STAGES, generate


def test_generator_is_deterministic_for_a_seed() -> None:
    first = [(d.id, d.title, d.text) for d in generate(50, seed=7)]
    assert first == [(d.id, d.title, d.text) for d in generate(50, seed=7)]
    assert first != [(d.id, d.title, d.text) for d in generate(50, seed=8)]


def test_generated_documents_are_japanese_programs_and_organizations_with_metadata() -> None:
    docs = list(generate(200, seed=1))
    assert len(docs) == 200 and len({d.id for d in docs}) == 200
    assert {d.kind for d in docs} == {"organization", "program"}
    for d in docs:
        assert d.functions <= set(FUNCTIONS) and d.functions
        assert d.stages <= set(STAGES) and d.stages
        assert d.municipalities <= set(MUNICIPALITIES)
        assert len(d.text) > 60
    assert all(d.organization for d in docs if d.kind == "program")


def test_speed_json_is_exactly_the_promised_object_and_the_chart_shows_each_system(tmp_path: Path) -> None:
    out, chart = StringIO(), tmp_path / "speed.svg"
    call_command("bench", "search-speed", "--docs", "300", "--queries", "20", "--json", "--chart", str(chart),
                 stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue())
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert all(f"{system} p95" in svg for system in ("madoguchi", "bm25s", "fts5"))
    assert "目標" not in svg  # the issue names targets for 100,000 and 1,000,000 documents only
    assert set(result) == {"madoguchi", "bm25s", "fts5"}
    for figures in result.values():
        assert set(figures) == {"p50_ms", "p95_ms", "p99_ms", "build_s", "peak_rss_mb"}
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
        assert figures["peak_rss_mb"] > 0


def test_speed_refuses_an_unknown_system() -> None:
    with pytest.raises(CommandError, match="不明なシステム"):
        call_command("bench", "search-speed", "--docs", "10", "--systems", "elastic", stdout=StringIO())


def test_the_chart_draws_the_issues_targets_for_a_million_documents() -> None:
    from madoguchi.bench.search.speed import chart_svg

    figures = {"p50_ms": 7.0, "p95_ms": 14.0, "p99_ms": 20.0, "build_s": 600.0, "peak_rss_mb": 1666.0}
    svg = chart_svg({"madoguchi": figures, "fts5": {**figures, "p95_ms": 400.0}}, 1_000_000)

    assert "目標 / target 50" in svg and "目標 / target 2048" in svg
    assert "fts5 p95 400" in svg  # each bar names its system and value


def test_speed_prints_the_threaded_figure_beside_the_single_thread_one() -> None:
    out = StringIO()
    call_command("bench", "search-speed", "--docs", "300", "--queries", "40", "--systems", "madoguchi", "--threads", "3",
                 stdout=out, stderr=StringIO())
    line = next(x for x in out.getvalue().splitlines() if x.startswith("madoguchi: 1 thread"))
    assert "3 threads at once" in line and "errors 0" in line


def test_writes_per_s_prints_throughput_with_and_without_saves_from_one_run() -> None:
    out = StringIO()
    call_command("bench", "search-speed", "--docs", "300", "--writes-per-s", "4", "--seconds", "2", "--threads", "2",
                 "--json", stdout=out, stderr=StringIO())
    figures = json.loads(out.getvalue())
    assert figures["without_writes"]["writes"] == 0 and figures["with_writes"]["writes"] >= 4
    assert figures["without_writes"]["errors"] == figures["with_writes"]["errors"] == 0
    assert figures["without_writes"]["qps"] > 0 and figures["ratio"] > 0
    assert figures["delta_docs"] >= 1  # the saves reached the readers as a delta, not as rebuilds


def test_writes_per_s_must_be_positive() -> None:
    with pytest.raises(CommandError, match="正の数"):
        call_command("bench", "search-speed", "--docs", "10", "--writes-per-s", "0", stdout=StringIO())
