"""The public listing list comes a page at a time with its count; page links keep the filter."""

from __future__ import annotations

import re

from django.test import Client

from madoguchi.matching.models import Kind
from madoguchi.matching.tests.conftest import make_listing
from madoguchi.matching.views import PAGE_SIZE


def test_the_listing_list_is_paged_with_its_count_and_keeps_the_filter(client: Client, db: None) -> None:
    for i in range(PAGE_SIZE + 3):
        make_listing(Kind.SEED, f"シーズ{i:02d}", "説明")
    make_listing(Kind.NEED, "ニーズの掲載", "説明")

    html = client.get("/matching/?kind=seed").content.decode()

    assert f"{PAGE_SIZE + 3} 件" in html and "1 / 2" in html
    assert 'href="?kind=seed&amp;page=2"' in html
    page2 = client.get("/matching/?kind=seed&page=2").content.decode()
    assert len(re.findall(r">シーズ\d\d</a>", page2)) == 3 and "ニーズの掲載" not in page2
    assert 'href="?kind=seed&amp;page=1"' in page2
