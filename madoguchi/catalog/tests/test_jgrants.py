"""madoguchi import-jgrants against a fake jGrants API on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command
from django.utils.timezone import localtime

from madoguchi.catalog.jgrants import ATTRIBUTION, Client, JGrantsError, area_codes
from madoguchi.catalog.models import CallRound, CatalogEntry, Source
from madoguchi.directory.models import Organization, Program

LIST = [
    {"id": "a0W5h00000UaAAA", "name": "S-00007001", "title": "ものづくり補助金（第20次）", "target_area_search": "全国",
     "subsidy_max_limit": 12500000, "acceptance_start_datetime": "2027-04-01T00:00:00.000Z",
     "acceptance_end_datetime": "2027-06-30T08:00:00.000Z", "target_number_of_employees": "従業員数の制約なし"},
    {"id": "a0W5h00000UbBBB", "name": "S-00007002", "title": "宮城県 小規模事業者販路開拓助成金",
     "target_area_search": "宮城県 / 福島県", "subsidy_max_limit": 500000,
     "acceptance_start_datetime": "2027-05-01T00:00:00.000Z", "acceptance_end_datetime": "2027-05-31T08:00:00.000Z",
     "target_number_of_employees": "20名以下"},
]
DETAILS = {
    "a0W5h00000UaAAA": {"subsidy_catch_phrase": "革新的な設備投資を支援", "detail": "<p>中小企業の<b>設備投資</b>を補助します。</p><p>第20次公募。</p>",
                        "use_purpose": "設備整備・IT導入をしたい", "industry": "製造業 / 情報通信業", "subsidy_rate": "1/2以内",
                        "front_subsidy_detail_page_url": "https://www.jgrants-portal.go.jp/subsidy/a0W5h00000UaAAA"},
    "a0W5h00000UbBBB": {"subsidy_catch_phrase": "販路開拓を応援", "detail": "展示会への出展などを助成。",
                        "use_purpose": "販路拡大・海外展開をしたい", "industry": "卸売業，小売業", "subsidy_rate": "2/3",
                        "institution_name": "宮城県"},
}


class FakeAPI:
    """Routes → queued answers: ("json", data) / ("status", code) / ("sleep", seconds) / ("raw", bytes)."""

    def __init__(self) -> None:
        self.queued: dict[str, list[tuple[str, Any]]] = {}
        self.hits: list[str] = []
        self.stamps: list[float] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's name
                url = urlparse(self.path)
                fake.hits.append(self.path)
                fake.stamps.append(time.monotonic())
                kind, value = fake.answer(url.path, parse_qs(url.query))
                if kind == "sleep":
                    time.sleep(value)
                    kind, value = "json", {"metadata": {}, "result": []}
                if kind == "status":
                    self.send_response(value)
                    self.end_headers()
                    return
                body = value if kind == "raw" else json.dumps(value, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/exp/v1/public"

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[str, Any]:
        queue = self.queued.get(path)
        if queue:
            return queue.pop(0)
        if path.endswith("/subsidies"):
            return "json", {"metadata": {"type": "application/json", "resultset": {"count": len(LIST)}}, "result": LIST}
        sid = path.rsplit("/", 1)[-1]
        if sid in DETAILS:
            item = next(i for i in LIST if i["id"] == sid)
            return "json", {"metadata": {}, "result": [{**item, **DETAILS[sid]}]}
        return "status", 404

    def then(self, path: str, *answers: tuple[str, Any]) -> None:
        self.queued.setdefault("/exp/v1/public" + path, []).extend(answers)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    fake = FakeAPI()
    yield fake
    fake.close()


def run(api: FakeAPI, *args: str, **options: Any) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_jgrants", "--base-url", api.base, "--interval", "0", "--backoff", "0.05", "--timeout", "1",
                 *args, stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def fails(api: FakeAPI, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_jgrants", "--base-url", api.base, "--interval", "0", "--backoff", "0.05", "--timeout", "1",
                     *args, stdout=out, stderr=err)
    return out.getvalue() + str(error.value)


def nothing_saved() -> bool:
    return not (Program.objects.exists() or CatalogEntry.objects.exists() or Source.objects.exists()
                or Organization.objects.exists())


@pytest.mark.django_db
def test_open_subsidies_import_with_their_facts_and_the_attribution(api: FakeAPI) -> None:
    out = run(api, "--keyword", "設備投資")

    assert "2 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in out
    assert api.hits[0].startswith("/exp/v1/public/subsidies?keyword=%E8%A8%AD%E5%82%99%E6%8A%95%E8%B3%87&sort=created_date&order=DESC&acceptance=1")
    assert "/exp/v1/public/subsidies/id/a0W5h00000UaAAA" in api.hits
    monozukuri = CatalogEntry.objects.select_related("program", "source").get(external_id="a0W5h00000UaAAA")
    assert monozukuri.source.attribution_text == ATTRIBUTION == "Jグランツ（jGrants）からの出典"
    assert "CC BY 4.0" in monozukuri.source.licence
    program = monozukuri.program
    assert program.name == "ものづくり補助金（第20次）"
    assert program.description == "革新的な設備投資を支援\n\n中小企業の設備投資を補助します。\n第20次公募。\n\n利用目的: 設備整備・IT導入をしたい"
    assert program.url == "https://www.jgrants-portal.go.jp/subsidy/a0W5h00000UaAAA"
    assert (monozukuri.type, monozukuri.amount_max, monozukuri.rate_text, str(monozukuri.rate)) == ("subsidy", 12_500_000, "1/2以内", "0.5000")
    assert (monozukuri.area_codes, monozukuri.industries, monozukuri.max_employees) == ("", "EG", None)
    closes = localtime(monozukuri.rounds.get().closes_at)
    assert (closes.date().isoformat(), closes.hour) == ("2027-06-30", 17)  # 08:00Z is 17:00 in Japan

    hanro = CatalogEntry.objects.select_related("program__organization").get(external_id="a0W5h00000UbBBB")
    assert (hanro.type, hanro.area_codes, hanro.max_employees, hanro.industries) == ("grant", "040002 070009", 20, "I")
    assert hanro.program.organization.name == "宮城県"
    # A subsidy naming no institution goes under the source's own body (as import-programs does).
    assert "未確認の機関として作成した実施機関: Jグランツ（jGrants）、宮城県" in out


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_a_changed_subsidy_updates_in_place(api: FakeAPI) -> None:
    run(api)
    entry = CatalogEntry.objects.get(external_id="a0W5h00000UbBBB")
    CatalogEntry.objects.filter(pk=entry.pk).update(how_to_apply="県の窓口で受付。", max_capital=50_000_000)
    assert "0 件追加, 0 件更新, 2 件変更なし, 0 件エラー" in run(api)

    changed = [dict(LIST[0]), {**LIST[1], "subsidy_max_limit": 1_000_000}]
    api.then("/subsidies", ("json", {"metadata": {}, "result": changed}))
    api.then("/subsidies/id/a0W5h00000UbBBB", ("json", {"metadata": {}, "result": [{**changed[1], **DETAILS["a0W5h00000UbBBB"]}]}))
    assert "0 件追加, 1 件更新, 1 件変更なし, 0 件エラー" in run(api)
    entry.refresh_from_db()
    assert (entry.amount_max, entry.how_to_apply, entry.max_capital) == (1_000_000, "県の窓口で受付。", 50_000_000)
    assert Program.objects.count() == 2 and CallRound.objects.count() == 2


@pytest.mark.django_db
def test_a_dry_run_saves_nothing(api: FakeAPI) -> None:
    assert "2 件追加, 0 件更新, 0 件変更なし, 0 件エラー（試行のため保存していません）" in run(api, "--dry-run")
    assert nothing_saved()


@pytest.mark.django_db
def test_a_500_is_retried_with_backoff_and_the_run_goes_on(api: FakeAPI) -> None:
    api.then("/subsidies/id/a0W5h00000UaAAA", ("status", 500), ("status", 503))
    out = run(api)
    assert "2 件追加" in out
    detail_hits = [i for i, hit in enumerate(api.hits) if hit.endswith("/a0W5h00000UaAAA")]
    assert len(detail_hits) == 3
    gaps = [api.stamps[b] - api.stamps[a] for a, b in zip(detail_hits, detail_hits[1:], strict=False)]
    assert gaps[1] > gaps[0] * 1.5 and gaps[0] >= 0.05  # 0.05 s, then 0.1 s


@pytest.mark.django_db
def test_a_500_that_persists_is_reported_and_nothing_is_saved(api: FakeAPI) -> None:
    api.then("/subsidies/id/a0W5h00000UbBBB", *[("status", 500)] * 4)
    out = fails(api, "--retries", "2")
    assert "/subsidies/id/a0W5h00000UbBBB を 3 回試しましたが取得できませんでした（最後は HTTP 500）" in out
    assert "何も保存していません" in out
    assert nothing_saved()


@pytest.mark.django_db
def test_a_timeout_is_retried_then_reported(api: FakeAPI) -> None:
    api.then("/subsidies", ("sleep", 1.5), ("sleep", 1.5))
    out = fails(api, "--retries", "1")
    assert "を 2 回試しましたが取得できませんでした（最後は 1 秒待っても応答がありません）" in out
    assert nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "words"), [
    (b"<html>maintenance</html>", "の応答は JSON ではありません"),
    (json.dumps({"metadata": {}, "results": []}).encode(), "jGrants API の形"),
])
def test_a_malformed_body_is_refused_in_japanese_and_nothing_is_saved(api: FakeAPI, body: bytes, words: str) -> None:
    api.then("/subsidies/id/a0W5h00000UbBBB", ("raw", body))
    out = fails(api)
    assert words in out
    assert nothing_saved()


@pytest.mark.django_db
def test_a_subsidy_that_cannot_be_mapped_is_a_per_item_error(api: FakeAPI) -> None:
    odd = {**LIST[1], "target_area_search": "東北地方"}
    api.then("/subsidies", ("json", {"metadata": {}, "result": [LIST[0], odd]}))
    api.then("/subsidies/id/a0W5h00000UbBBB", ("json", {"metadata": {}, "result": [{**odd, **DETAILS["a0W5h00000UbBBB"]}]}))
    out = fails(api)
    assert "2 件目（jGrants id a0W5h00000UbBBB）: target_area_search: 対象地域「東北地方」を都道府県" in out
    assert "1 件追加, 0 件更新, 0 件変更なし, 1 件エラー（エラーがあるため、何も保存していません）" in out
    assert nothing_saved()


def test_requests_keep_the_polite_interval() -> None:
    slept: list[float] = []
    client = Client(base_url="http://127.0.0.1:9", interval=0.5, retries=0, timeout=0.2, sleep=slept.append)
    for _ in range(2):
        with pytest.raises(JGrantsError):
            client.get("/subsidies")
    assert slept and 0.3 < slept[0] <= 0.5


def test_area_names_become_codes() -> None:
    assert area_codes("全国") == ""
    assert area_codes("宮城県 / 東京都") == "040002 130001"
    with pytest.raises(ValueError, match="東北"):
        area_codes("東北")
