"""Listings in the one-stop search: live public ones are found as their own kind; members-only,
pending and anonymous owners never leak through it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.directory.models import Organization
from madoguchi.matching.models import Listing
from madoguchi.matching.tests.conftest import make_listing
from madoguchi.search.dirty import flush
from madoguchi.search.models import SearchDocument
from madoguchi.search.service import search


@pytest.fixture(autouse=True)
def _fresh_corpus() -> Any:
    # The search corpus is cached per process; each test has its own database (as in search/tests).
    from madoguchi.search import service

    service._corpus = None
    yield
    service._corpus = None


def _docs() -> Any:
    flush()  # documents are written when the transaction commits; a test's never does
    return SearchDocument.objects.filter(kind="listing")


def _kinds(query: str) -> dict[str, str]:
    return {h.name: h.kind for h in search(query, limit=20).results}


def test_a_live_public_listing_is_found_as_a_listing(orgs: dict[str, Organization]) -> None:
    make_listing(Listing.Kind.SEED, "光ファイバーセンサの評価技術", "高温環境で使える光ファイバーセンサ",
                 owner_organization=orgs["tohoku"])
    found = _kinds("光ファイバーセンサを使いたい")
    assert found.get("光ファイバーセンサの評価技術") == "listing"
    doc = _docs().get()
    assert doc.organization_name == "東北大学" and "tech_transfer" in doc.functions


def test_members_only_and_pending_listings_are_not_searchable(orgs: dict[str, Organization]) -> None:
    make_listing(Listing.Kind.NEED, "会員向けの加工ニーズ", "精密切削", owner_organization=orgs["maker"],
                 visibility=Listing.Visibility.MEMBERS)
    make_listing(Listing.Kind.NEED, "承認待ちの加工ニーズ", "精密切削", owner_organization=orgs["maker"],
                 status=Listing.Status.PENDING)
    assert not _docs().exists()
    assert "listing" not in _kinds("精密切削").values()
    public = make_listing(Listing.Kind.NEED, "公開の加工ニーズ", "精密切削", owner_organization=orgs["maker"])
    assert list(_docs().values_list("object_id", flat=True)) == [str(public.uuid)]  # the check can see one


def test_an_anonymous_listing_is_found_without_its_owner(orgs: dict[str, Organization], client: Client) -> None:
    make_listing(Listing.Kind.FUNDING, "試作資金の調達希望", "試作ラインの設備資金を探している",
                 owner_organization=orgs["maker"], visibility=Listing.Visibility.ANONYMOUS)
    doc = _docs().get()
    assert doc.organization_name == "" and "みやぎ精機" not in doc.terms
    html = client.get(reverse("search:search"), {"q": "試作資金"}).content.decode()
    assert "試作資金の調達希望" in html and "株式会社みやぎ精機" not in html


def test_a_listing_sent_back_to_review_leaves_the_search(orgs: dict[str, Organization]) -> None:
    listing = make_listing(Listing.Kind.ORDER, "樹脂部品の発注", "射出成形の部品", owner_organization=orgs["maker"])
    assert _docs().count() == 1
    listing.status = Listing.Status.PENDING
    listing.save()
    assert not _docs().exists()


def test_the_kind_filter_offers_listings_when_there_are_some(orgs: dict[str, Organization], client: Client, db: Any) -> None:
    make_listing(Listing.Kind.SEED, "光ファイバーセンサの評価技術", "光ファイバーセンサ", owner_organization=orgs["tohoku"])
    html = client.get(reverse("search:search"), {"q": "センサ"}).content.decode()
    assert '<option value="listing">シーズ・ニーズ・受発注</option>' in html
