"""Long lists on pages come a page at a time, with 「全N件」 and plain links (no JavaScript needed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from madoguchi.directory.models import Facility, Organization, Program
from madoguchi.directory.tests.helpers import make_org
from madoguchi.directory.views import DETAIL_PAGE_SIZE, PAGE_SIZE


def _links(html: str, rel: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(rf'<a href="([^"]+)" rel="{rel}">', html)]


def _program_names(html: str) -> list[str]:
    return re.findall(r'<li><a href="/programs/[^"]+">(事業\d+)</a>', html)


@pytest.fixture
def big_body(db: None) -> Organization:
    org = make_org("big-body", "大きな支援機関")
    Program.objects.bulk_create(
        Program(slug=f"p{i:03d}", name=f"事業{i:03d}", organization=org) for i in range(DETAIL_PAGE_SIZE * 2 + 5)
    )
    for i in range(3):
        Facility.objects.create(slug=f"f{i}", name=f"施設{i}", operator=org)
    return org


def test_an_institutions_programs_are_paged_with_their_count(client: Client, big_body: Organization) -> None:
    total = DETAIL_PAGE_SIZE * 2 + 5
    html = client.get("/organizations/big-body/").content.decode()

    assert f"全{total}件" in html and f"（1〜{DETAIL_PAGE_SIZE}件目）" in html
    assert len(_program_names(html)) == DETAIL_PAGE_SIZE
    assert "1 / 3 ページ" in html and _links(html, "prev") == []
    (next_page,) = _links(html, "next")
    assert next_page == "/organizations/big-body/?programs=2#programs-title"

    last = client.get("/organizations/big-body/?programs=3").content.decode()
    assert _program_names(last) == [f"事業{i:03d}" for i in range(DETAIL_PAGE_SIZE * 2, total)]
    assert "3 / 3 ページ" in last and _links(last, "next") == []
    assert _links(last, "prev") == ["/organizations/big-body/?programs=2#programs-title"]


def test_each_list_on_the_page_keeps_the_others_place(client: Client, big_body: Organization) -> None:
    Facility.objects.bulk_create(Facility(slug=f"g{i:02d}", name=f"別施設{i:02d}", operator=big_body)
                                 for i in range(DETAIL_PAGE_SIZE))
    html = client.get("/organizations/big-body/?programs=2").content.decode()
    assert "全23件" in html  # the facilities' own count
    assert "/organizations/big-body/?programs=2&facilities=2#facilities-title" in _links(html, "next")


def test_a_bad_page_number_shows_the_first_page_not_an_error(client: Client, big_body: Organization) -> None:
    response = client.get("/organizations/big-body/?programs=abc")
    assert response.status_code == 200
    assert "1 / 3 ページ" in response.content.decode()


def test_a_short_list_shows_its_count_without_page_links(client: Client, db: None) -> None:
    org = make_org("small", "小さな支援機関")
    Program.objects.create(slug="only", name="事業001", organization=org)
    html = client.get("/organizations/small/").content.decode()
    assert "全1件" in html and "ページ送り" not in html


def test_the_page_size_keeps_the_query_count_flat(client: Client, big_body: Organization,
                                                  django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(15):
        client.get("/organizations/big-body/?programs=2")


def test_the_facility_list_is_paged(client: Client, db: None) -> None:
    Facility.objects.bulk_create(Facility(slug=f"f{i:03d}", name=f"施設{i:03d}") for i in range(PAGE_SIZE + 1))
    html = client.get("/facilities/").content.decode()
    assert f"全{PAGE_SIZE + 1}件" in html and "1 / 2 ページ" in html
    assert _links(html, "next") == ["/facilities/?page=2"]
    assert "施設050" in client.get("/facilities/?page=2").content.decode()


@pytest.mark.parametrize(("url", "make", "count_text"), [
    ("/programs/", lambda org, n: Program.objects.bulk_create(
        Program(slug=f"q{i:03d}", name=f"事業{i:03d}", organization=org) for i in range(n)), "件の支援事業"),
    ("/organizations/", lambda org, n: [make_org(f"o{i:03d}", f"機関{i:03d}") for i in range(n)], "件"),
])
def test_the_public_lists_are_paged_with_a_count(client: Client, db: None, url: str,
                                                 make: Callable[[Organization, int], object], count_text: str) -> None:
    make(make_org("host", "実施機関"), PAGE_SIZE + 1)
    html = client.get(url).content.decode()
    assert count_text in html and "1 / 2 ページ" in html
    assert client.get(url + "?page=2").status_code == 200
