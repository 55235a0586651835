"""`madoguchi bench search-speed`: the generator and the output shape (no timing assertions)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from madoguchi.search.bench.generate import FUNCTIONS, MUNICIPALITIES, STAGES, generate


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


def test_speed_json_is_exactly_the_promised_object() -> None:
    out = StringIO()
    call_command("bench", "search-speed", "--docs", "300", "--queries", "20", "--json", stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue())
    assert set(result) == {"madoguchi", "bm25s", "fts5"}
    for figures in result.values():
        assert set(figures) == {"p50_ms", "p95_ms", "p99_ms", "build_s", "peak_rss_mb"}
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
        assert figures["peak_rss_mb"] > 0


def test_speed_refuses_an_unknown_system() -> None:
    with pytest.raises(CommandError, match="不明なシステム"):
        call_command("bench", "search-speed", "--docs", "10", "--systems", "elastic", stdout=StringIO())
