"""Searches from many threads at once, against the threaded live server (as `make run` serves)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from madoguchi.directory.models import Organization, Program
from madoguchi.search.documents import rebuild_all

# Distinct questions, so every request analyses text rather than answering from a cache.
QUESTIONS = [f"{w}の{n}について相談したい" for w in ("特許", "ライセンス", "創業", "融資", "販路開拓", "研究成果", "試作", "補助金")
             for n in ("支援", "申し込み", "窓口", "講座", "費用", "期間", "条件", "事例", "手続き", "担当",
                       "説明会", "対象", "書類", "締め切り", "面談", "費用負担", "専門家", "資金", "審査", "報告", "延長",
                       "変更", "紹介", "見学", "相談会")]


@pytest.mark.django_db(transaction=True)
def test_200_searches_from_16_threads_all_succeed(live_server: Any) -> None:
    tlo = Organization.objects.create(slug="tlo", name="(株)東北テクノアーチ", kind="support",
                                      description="大学における研究成果を特許化し、企業にライセンス供給する")
    Program.objects.create(slug="tlo-1", organization=tlo, name="大学の研究成果の特許化とライセンス供給")
    rebuild_all()
    assert len(QUESTIONS) == 200
    start = threading.Barrier(16)

    def ask(i: int) -> tuple[int, str]:
        if i < 16:
            start.wait()  # the first sixteen leave together: the tokenizer sees real overlap
        path = "/api/search" if i % 2 else "/search/"
        url = f"{live_server.url}{path}?{urllib.parse.urlencode({'q': QUESTIONS[i]})}"
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status, ""
        except urllib.error.HTTPError as e:
            return e.code, e.read()[:300].decode("utf-8", "replace")

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(ask, range(200)))
    failures = [a for a in answers if a[0] != 200]
    assert failures == [], failures[:3]
