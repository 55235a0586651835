"""The judged question set: its size, its coverage, and that every judged slug exists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from madoguchi.bench.search.judged import DEV_FILE, HELDOUT2_FILE, HELDOUT3_FILE, HELDOUT_FILE, JUDGED_FILE, load_judged

FUNCTIONS = {"tech_dev", "tech_transfer", "startup", "finance", "management", "market", "market_info", "talent"}
STAGES = {"pre_startup", "startup", "growth", "mature", "new_field"}


def test_judged_set_has_at_least_120_distinct_questions() -> None:
    queries = load_judged()
    assert len(queries) >= 120
    assert len({q.query for q in queries}) == len(queries)
    assert len({q.id for q in queries}) == len(queries)


def test_judged_set_covers_every_function_and_stage() -> None:
    tags = Counter(t for q in load_judged() for t in q.tags)
    assert {t.removeprefix("function:") for t in tags if t.startswith("function:")} == FUNCTIONS
    assert {t.removeprefix("stage:") for t in tags if t.startswith("stage:")} == STAGES


@pytest.mark.parametrize("style", ["colloquial", "kana", "typo", "english"])
def test_judged_set_has_ten_questions_of_each_style(style: str) -> None:
    assert sum(style in q.tags for q in load_judged()) >= 10


def test_every_judged_organization_exists_after_loading_the_plan(plan: object) -> None:
    from madoguchi.directory.models import Organization

    slugs = set(Organization.objects.values_list("slug", flat=True))
    for path in (JUDGED_FILE, HELDOUT_FILE, DEV_FILE, HELDOUT2_FILE, HELDOUT3_FILE):
        missing = sorted({s for q in load_judged(path) for s in q.relevant} - slugs)
        assert (path.name, missing) == (path.name, [])


def test_held_out_questions_are_not_in_the_main_set() -> None:
    main = {q.query for q in load_judged()}
    held_out = load_judged(HELDOUT_FILE)
    assert len(held_out) >= 40
    assert [q.query for q in held_out if q.query in main] == []


def test_dev_questions_are_in_neither_other_set_and_cover_every_function_and_stage() -> None:
    others = {q.query for path in (JUDGED_FILE, HELDOUT_FILE) for q in load_judged(path)}
    dev = load_judged(DEV_FILE)
    assert len(dev) >= 80
    assert len({q.query for q in dev}) == len(dev)
    assert [q.query for q in dev if q.query in others] == []
    tags = Counter(t for q in dev for t in q.tags)
    assert {t.removeprefix("function:") for t in tags if t.startswith("function:")} == FUNCTIONS
    assert {t.removeprefix("stage:") for t in tags if t.startswith("stage:")} == STAGES
    assert all(tags[style] >= 5 for style in ("colloquial", "kana", "typo", "english"))


# Each later held-out set must be new against every set written before it.
@pytest.mark.parametrize(
    ("path", "earlier"),
    [
        (HELDOUT2_FILE, (JUDGED_FILE, HELDOUT_FILE, DEV_FILE)),
        (HELDOUT3_FILE, (JUDGED_FILE, HELDOUT_FILE, DEV_FILE, HELDOUT2_FILE)),
    ],
    ids=["heldout2", "heldout3"],
)
def test_later_held_out_set_is_new_and_covers_every_function_stage_and_style(
    path: Path, earlier: tuple[Path, ...]
) -> None:
    others = {q.query for other in earlier for q in load_judged(other)}
    held_out = load_judged(path)
    assert len(held_out) >= 60
    assert len({q.query for q in held_out}) == len(held_out)
    assert len({q.id for q in held_out}) == len(held_out)
    assert [q.query for q in held_out if q.query in others] == []
    tags = Counter(t for q in held_out for t in q.tags)
    assert {t.removeprefix("function:") for t in tags if t.startswith("function:")} == FUNCTIONS
    assert {t.removeprefix("stage:") for t in tags if t.startswith("stage:")} == STAGES
    # Written to about 15% kana, 10% typos and 10% English; 8% of the set is the floor for each.
    assert [s for s in ("colloquial", "kana", "typo", "english") if tags[s] < 0.08 * len(held_out)] == []


def test_the_held_out_sets_cannot_be_asked_for_together() -> None:
    from django.core.management import CommandError, call_command

    # The parser refuses before anything is ranked, so this runs no search.
    with pytest.raises(CommandError, match="--heldout3: not allowed with"):
        call_command("bench", "search-quality", "--heldout2", "--heldout3")


def test_a_broken_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "judged.jsonl"
    path.write_text('{"id": "a", "query": "特許", "relevant": {"x": 3}}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="2 行目"):
        load_judged(path)


def test_a_question_without_relevant_organizations_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "judged.jsonl"
    path.write_text('{"id": "a", "query": "特許", "relevant": {"x": 0}}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="関連ありの機関がありません"):
        load_judged(path)
