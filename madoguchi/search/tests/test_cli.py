"""madoguchi search: a readable table, --json, and --queries FILE (one JSON line per question)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from madoguchi.directory.models import Organization, Program


@pytest.fixture
def records(db: Any) -> None:
    tlo = Organization.objects.create(slug="tlo", name="(株)東北テクノアーチ", kind="support",
                                      description="大学における研究成果を特許化し、企業にライセンス供給する")
    Program.objects.create(slug="tlo-1", organization=tlo, name="大学の研究成果の特許化とライセンス供給")
    Organization.objects.create(slug="shinyo", name="宮城県信用保証協会", kind="support",
                                description="中小企業者が金融機関より資金調達を行う際に、その債務保証を行う")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("search", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_documented_shape(records: None) -> None:
    data = json.loads(_run("--json", "大学の特許をライセンスしてほしい"))
    assert set(data) == {"query", "results"}
    assert data["query"] == "大学の特許をライセンスしてほしい"
    assert data["results"]
    for hit in data["results"]:
        # + a catalog program's type, status, closes, … (catalog/tests/test_search_filters)
        assert set(hit) == {"kind", "id", "name", "organization", "score", "reasons", "url"}
        assert isinstance(hit["score"], float) and hit["reasons"]
    program = next(h for h in data["results"] if h["kind"] == "program")
    assert program["organization"] == "(株)東北テクノアーチ"


def test_queries_file_gives_one_json_line_per_question_in_order(records: None, tmp_path: Path) -> None:
    questions = ["信用保証を受けたい", "", "大学の特許", "存在しない言葉ぬぬぬ"]
    path = tmp_path / "q.txt"
    path.write_text("\n".join(questions) + "\n", encoding="utf-8")
    lines = _run("--queries", str(path)).splitlines()
    assert [json.loads(line)["query"] for line in lines] == questions
    assert json.loads(lines[0])["results"][0]["id"] == "shinyo"
    assert json.loads(lines[1])["results"] == []


def test_table_shows_names_and_reasons(records: None) -> None:
    text = _run("信用保証を受けたい")
    assert "宮城県信用保証協会" in text
    assert "「信用」が名称に一致" in text


def test_empty_question_points_to_the_diagnosis(records: None) -> None:
    assert "ワンストップ診断" in _run("")


def test_unknown_filter_is_a_command_error_in_japanese(records: None) -> None:
    with pytest.raises(CommandError, match="支援機能「nope」は選べません"):
        _run("特許", "--function", "nope")


def test_missing_queries_file_is_a_command_error(records: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="見つかりません"):
        _run("--queries", str(tmp_path / "none.txt"))
