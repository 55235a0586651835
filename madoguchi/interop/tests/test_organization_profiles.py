"""Curated profiles of the bodies the plan only names: loaded with the plan, shown as the editors'
words (never the plan's), refused row by row when the file is wrong."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from madoguchi.directory.models import Organization, SupportFunction
from madoguchi.interop.loader import PROFILES_FILE, load_plan
from madoguchi.interop.plan import PlanError

FISH = "miyagi-fisheries-processing-institute"


def _profiles_with(tmp_path: Path, row: dict[str, str]) -> Path:
    """The real profiles file with `row` appended as its last line."""
    text = PROFILES_FILE.read_text(encoding="utf-8")
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=["slug", "profile", "profile_en", "source", "as_of"], lineterminator="\n").writerow(row)
    path = tmp_path / "organization_profiles.csv"
    path.write_text(text + buffer.getvalue(), encoding="utf-8")
    return path


def _line_count() -> int:
    return len(PROFILES_FILE.read_text(encoding="utf-8").splitlines())


def test_every_body_without_a_plan_description_gets_a_dated_curated_profile(plan: Any) -> None:
    bare = Organization.objects.filter(description="")
    assert bare.count() == 41
    assert not bare.filter(profile="").exists()
    assert not bare.filter(profile_en="").exists()
    assert set(bare.values_list("profile_source", "profile_as_of")) == {
        ("madoguchi 編集（公開情報による概要）", dt.date(2026, 11, 28)),
    }
    fish = Organization.objects.get(slug=FISH)
    assert "水産加工品" in fish.profile and "技術相談" in fish.profile
    # The plan's own fields stay the plan's: the profile is beside them, not in them.
    assert fish.description == "" and fish.source != fish.profile_source
    assert plan.counts["OrganizationProfile"]["created"] == 41


def test_second_load_leaves_the_profiles_alone(plan: Any) -> None:
    before = list(Organization.objects.values_list("slug", "profile", "profile_en", "profile_source", "profile_as_of"))
    history = Organization.history.count()
    report = load_plan(settings.PLAN_FILE)
    assert not report.changed
    assert report.counts["OrganizationProfile"] == {"created": 0, "updated": 0, "unchanged": 41}
    assert list(Organization.objects.values_list("slug", "profile", "profile_en", "profile_source", "profile_as_of")) == before
    assert Organization.history.count() == history


def test_a_seeded_profile_lost_in_the_database_is_restored_but_one_staff_wrote_is_kept(plan: Any) -> None:
    Organization.objects.filter(slug=FISH).update(profile="", profile_en="", profile_source="", profile_as_of=None)
    staff = Organization.objects.get(slug="jetro-sendai")
    staff.profile, staff.profile_source, staff.profile_as_of = "職員が書いた概要", "ジェトロ仙台 職員", dt.date(2027, 4, 1)
    staff.save()

    report = load_plan(settings.PLAN_FILE)

    assert report.counts["OrganizationProfile"]["updated"] == 1
    assert "水産加工品" in Organization.objects.get(slug=FISH).profile
    staff.refresh_from_db()
    assert (staff.profile, staff.profile_source, staff.profile_as_of) == (
        "職員が書いた概要", "ジェトロ仙台 職員", dt.date(2027, 4, 1),
    )


def test_an_unknown_slug_is_refused_with_its_line_and_nothing_is_written(db: Any, tmp_path: Path) -> None:
    path = _profiles_with(tmp_path, {
        "slug": "miyagi-fish-processing", "profile": "県の水産加工の試験研究機関。", "profile_en": "x",
        "source": "madoguchi 編集", "as_of": "2026-11-28",
    })
    line = _line_count() + 1
    with pytest.raises(PlanError, match=rf"organization_profiles.csv の {line} 行目: スラッグ「miyagi-fish-processing」の機関は計画にありません"):
        load_plan(settings.PLAN_FILE, profiles_path=path)
    assert not Organization.objects.exists() and not SupportFunction.objects.exists()


def test_an_unknown_slug_on_reload_leaves_the_loaded_plan_as_it_was(plan: Any, tmp_path: Path) -> None:
    Organization.objects.filter(slug=FISH).update(phone="022-000-0000", profile="")
    path = _profiles_with(tmp_path, {
        "slug": "no-such-body", "profile": "概要", "profile_en": "", "source": "madoguchi 編集", "as_of": "2026-11-28",
    })
    with pytest.raises(PlanError, match="no-such-body"):
        load_plan(settings.PLAN_FILE, profiles_path=path)
    fish = Organization.objects.get(slug=FISH)
    assert (fish.phone, fish.profile) == ("022-000-0000", "")


@pytest.mark.parametrize("as_of", ["2026-13-01", "2026/11/28", ""])
def test_a_bad_date_is_refused_with_its_line(db: Any, tmp_path: Path, as_of: str) -> None:
    path = _profiles_with(tmp_path, {
        "slug": "tohoku-techno-arch", "profile": "概要", "profile_en": "", "source": "madoguchi 編集", "as_of": as_of,
    })
    with pytest.raises(PlanError, match=rf"{_line_count() + 1} 行目: 時点「{as_of}」は YYYY-MM-DD 形式の日付ではありません"):
        load_plan(settings.PLAN_FILE, profiles_path=path)
    assert not Organization.objects.exists()


def test_a_second_row_for_the_same_body_is_refused(db: Any, tmp_path: Path) -> None:
    path = _profiles_with(tmp_path, {
        "slug": FISH, "profile": "別の概要", "profile_en": "", "source": "madoguchi 編集", "as_of": "2026-11-28",
    })
    with pytest.raises(PlanError, match=rf"{_line_count() + 1} 行目: スラッグ「{FISH}」の概要が2度目です"):
        load_plan(settings.PLAN_FILE, profiles_path=path)
