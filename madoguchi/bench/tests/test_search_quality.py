"""`madoguchi bench search-quality`: output shape on the own set and on a BEIR collection."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SAMPLE = Path(__file__).resolve().parents[1] / "search" / "data" / "beir_sample"
LINE = re.compile(r"^(madoguchi|bm25-bigram|fts5) nDCG@10 \d\.\d{3} recall@10 \d\.\d{3} MRR@10 \d\.\d{3}")


def run(*args: str) -> str:
    out = StringIO()
    call_command("bench", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_beir_mode_prints_one_line_per_system_in_the_promised_form() -> None:
    lines = run("search-quality", "--beir", str(SAMPLE)).splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["madoguchi", "bm25-bigram", "fts5"]
    assert all(LINE.match(line) for line in lines[:3])


def test_beir_mode_finds_a_kana_only_question_that_the_bigram_baseline_misses() -> None:
    # q01 「かきの ようしょく」 is written in kana only; the document says 牡蠣の養殖.
    result = json.loads(run("search-quality", "--beir", str(SAMPLE), "--json", "--per-query"))
    by_id = {q["id"]: q for q in result["madoguchi"]["queries"]}
    assert by_id["q01"]["top"][:1] == ["d01"]
    assert {q["id"]: q for q in result["bm25-bigram"]["queries"]}["q01"]["top"] == []


def test_beir_mode_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="corpus.jsonl"):
        run("search-quality", "--beir", str(tmp_path))


def test_own_set_on_an_empty_database_says_to_load_the_plan(db: object) -> None:
    with pytest.raises(CommandError, match="load-plan"):
        run("search-quality")


def test_own_set_on_a_database_without_tables_says_to_create_it(db: object) -> None:
    from django.db import connection, transaction

    # As on a fresh checkout before `make run`: the directory's tables do not exist. The
    # rename is rolled back with the savepoint when the command's error leaves the block.
    with pytest.raises(CommandError, match="make run"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE directory_organization RENAME TO directory_organization_away")
        run("search-quality")


def test_own_set_prints_three_systems_with_hit_at_3_a_tag_table_json_and_chart(indexed_plan: object, tmp_path: Path) -> None:
    # One test for text, JSON and chart: loading the plan is the slow part.
    chart = tmp_path / "chart.svg"
    text = run("search-quality", "--chart", str(chart))
    lines = text.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["madoguchi", "bm25-bigram", "fts5"]
    assert all(LINE.match(line) and " hit@3 " in line for line in lines[:3])
    assert "function:tech_transfer" in text and "stage:pre_startup" in text and "kana" in text
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "function:finance" in svg and "field:photonics" not in svg

    result = json.loads(run("search-quality", "--json"))
    assert set(result) == {"madoguchi", "bm25-bigram", "fts5"}
    for figures in result.values():
        assert {"ndcg@10", "recall@10", "mrr@10", "hit@3", "by_tag"} <= set(figures)
        assert 0.0 <= figures["ndcg@10"] <= 1.0


def test_worst_lists_the_lowest_scoring_questions_with_what_was_expected() -> None:
    text = run("search-quality", "--beir", str(SAMPLE), "--worst", "2")
    assert "nDCG@10 が低い質問（2 問）" in text
    assert text.count("期待:") == 2
