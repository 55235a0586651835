"""A later document type (events, listings) becomes searchable with one register() call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from madoguchi.directory.models import Area
from madoguchi.search.corpus import DocMeta
from madoguchi.search.registry import REGISTRY, register, unregister
from madoguchi.search.service import search


def area_doc(area: Any) -> DocMeta:
    return DocMeta(id=area.slug, kind="area", title=area.name, text=area.description, url=f"/areas/{area.slug}/")


@pytest.fixture
def areas_registered() -> Iterator[None]:
    register("area", Area, area_doc, label="地域")
    yield
    unregister("area")


@pytest.mark.django_db
def test_a_registered_kind_is_found_after_save_and_can_be_filtered(areas_registered: None) -> None:
    Area.objects.create(slug="sendai-hokubu", name="仙台北部地域", description="高度技術産学連携地域")
    hits = search("高度技術産学連携地域", kind="area").results
    assert [(h.kind, h.id) for h in hits] == [("area", "sendai-hokubu")]
    assert hits[0].reasons
    assert hits[0].kind_label == "地域"


@pytest.mark.django_db
def test_an_unregistered_kind_is_no_longer_indexed(areas_registered: None) -> None:
    unregister("area")
    assert "area" not in REGISTRY
    Area.objects.create(slug="x", name="テスト地域", description="高度技術産学連携地域")
    assert search("高度技術産学連携地域").results == []
