"""What a question says about the need is recognised: function, stage, field, place."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.directory.models import SupportFunction
from madoguchi.search.facets import FUNCTION_LABELS, Gazetteer, recognise


def _codes(query: str, type_: str, gazetteer: Gazetteer | None = None) -> list[str]:
    return [f.code for f in recognise(query, gazetteer) if f.type == type_]


def test_function_labels_are_the_eight_of_table_4() -> None:
    assert list(FUNCTION_LABELS.items()) == [(c.value, str(c.label)) for c in SupportFunction.Code]


@pytest.mark.parametrize(
    ("query", "stage"),
    [("創業したばかりです", "startup"), ("起業したい", "pre_startup"), ("開業準備中", "pre_startup"), ("事業承継を考えている", "mature")],
)
def test_stage_is_recognised(query: str, stage: str) -> None:
    assert _codes(query, "stage") == [stage]


@pytest.mark.parametrize(
    ("query", "function"),
    [
        ("大学の特許を使いたい", "tech_transfer"), ("お金を借りたい", "finance"), ("売り先を広げたい", "market"),
        ("人を雇う余裕がない", "talent"), ("町工場だけど受注を増やしたい", "market"), ("異業種の会社と情報交換したい", "market_info"),
    ],
)
def test_function_is_recognised(query: str, function: str) -> None:
    assert function in _codes(query, "function")


@pytest.mark.parametrize(
    ("query", "function"),
    [("そうぎょう の そうだん", "startup"), ("ゆうし を うけたい", "finance"), ("とっきょ を とりたい", "tech_transfer")],
)
def test_function_is_recognised_in_a_kana_only_question(query: str, function: str) -> None:
    assert function in _codes(query, "function")


@pytest.mark.parametrize(
    ("query", "field"),
    [("社員にプログラミングを学ばせたい", "it"), ("町工場の技術を生かしたい", "monozukuri"), ("省エネの技術で新事業", "environment")],
)
def test_field_is_recognised(query: str, field: str) -> None:
    assert field in _codes(query, "field")


def test_nothing_is_recognised_in_a_plain_greeting() -> None:
    assert recognise("こんにちは") == []


def test_place_and_former_name_and_area_from_the_plan(plan: Any) -> None:
    from madoguchi.search.documents import gazetteer_from_db

    gazetteer = gazetteer_from_db()
    tomiya = _codes("富谷で創業したい", "municipality", gazetteer)
    assert [gazetteer.labels[c] for c in tomiya] == ["富谷市"]
    assert _codes("富谷町の工場です", "municipality", gazetteer) == tomiya
    assert _codes("仙台北部で工場を建てたい", "area", gazetteer) == ["sendai-hokubu"]
    assert _codes("仙台北部で工場を建てたい", "municipality", gazetteer) == []
