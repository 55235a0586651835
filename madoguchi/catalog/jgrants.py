"""madoguchi import-jgrants: subsidies from the jGrants public API v1 into the catalog.

- The list `GET {base}/subsidies?keyword=…&sort=created_date&order=DESC&acceptance=1` (open calls;
  the API wants a keyword of 2–255 characters, so the default is 補助金), then the detail
  `GET {base}/subsidies/id/{id}` of each, both in the envelope `{"metadata": …, "result": […]}`.
- urllib, no extra dependency: a timeout per request, retries with exponential backoff on a
  5xx, a 429, a timeout or a refused connection, and at least `interval` seconds (0.5) between
  requests — the API is a public service.
- Everything is fetched first, then written through the shared importer (run_import) in one
  transaction, so a slow API never holds the database. Any failure — the list or a detail
  unreachable after the retries, a body that is not the API's JSON, a subsidy that cannot be
  mapped — is reported in Japanese and nothing from that run is saved: a run is all or nothing,
  like a file, and the next run (idempotent) picks everything up.
- Identity is (Jグランツ, subsidy id). Fields mapped: title, catch phrase + detail (HTML to text)
  + use purpose, the portal page, 補助金/助成金, subsidy_max_limit, subsidy_rate, the call
  window, target_number_of_employees, industry (JSIC names), target_area_search (prefectures /
  全国 → codes via catalog.areas), institution_name when the detail has one.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils.html import strip_tags

from madoguchi.catalog import areas, parsing
from madoguchi.catalog.importer import ImportReport, Progress, run_import
from madoguchi.catalog.models import ProgramType, Source
from madoguchi.catalog.rows import ParsedRow
from madoguchi.platform.text import clean, nfkc

DEFAULT_BASE_URL = "https://api.jgrants-portal.go.jp/exp/v1/public"
PORTAL_PAGE = "https://www.jgrants-portal.go.jp/subsidy/{id}"
SOURCE_NAME = "Jグランツ（jGrants）"
ATTRIBUTION = "Jグランツ（jGrants）からの出典"
# jGrants' terms put the published data under the 政府標準利用規約 (第2.0版), which is compatible with CC BY 4.0.
LICENCE = "政府標準利用規約（第2.0版）・CC BY 4.0 互換"
NATIONAL = "全国"


class JGrantsError(Exception):
    """The API could not be read (the message is Japanese, for the person running the import)."""


@dataclass
class Client:
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    interval: float = 0.5  # at least this long between two requests
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    _last: float = field(default=0.0, repr=False)

    def get(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The `result` list of one API call."""
        url = self.base_url.rstrip("/") + path + (f"?{urlencode(params)}" if params else "")
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self._wait()
            try:
                request = Request(url, headers={
                    "Accept": "application/json", "User-Agent": f"madoguchi (+{settings.SITE_URL})"})
                with urlopen(request, timeout=self.timeout) as response:  # an http(s) URL from settings/CLI
                    body = response.read()
            except HTTPError as error:
                if error.code >= 500 or error.code == 429:
                    last = f"HTTP {error.code}"
                    continue
                raise JGrantsError(f"{url} が HTTP {error.code} を返しました（再試行しても変わらない応答です）。") from None
            except TimeoutError:
                last = f"{self.timeout:g} 秒待っても応答がありません"
                continue
            except URLError as error:
                if isinstance(error.reason, (TimeoutError, socket.timeout)):
                    last = f"{self.timeout:g} 秒待っても応答がありません"
                elif isinstance(error.reason, ConnectionRefusedError):
                    last = "接続を拒否されました"
                else:
                    last = f"接続できません（{error.reason}）"
                continue
            return _result(url, body)
        raise JGrantsError(f"{url} を {self.retries + 1} 回試しましたが取得できませんでした（最後は {last}）。")

    def _wait(self) -> None:
        gap = self.interval - (time.monotonic() - self._last)
        if self._last and gap > 0:
            self.sleep(gap)
        self._last = time.monotonic()
        self.requests += 1


def _result(url: str, body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JGrantsError(f"{url} の応答は JSON ではありません（先頭: {body[:60]!r}）。") from None
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, list) or not all(isinstance(item, dict) for item in result):
        raise JGrantsError(f"{url} の応答は jGrants API の形（{{\"metadata\": …, \"result\": [...]}}）ではありません。")
    return result


# ---------------------------------------------------------------- mapping


def _text(value: Any) -> str:
    """HTML (the detail is HTML) to plain text with its paragraphs kept."""
    raw = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</div>", "\n", str(value or ""))
    lines = [line.strip() for line in html.unescape(strip_tags(raw)).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _moment(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"日時「{value}」を読み取れません。") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=9)))  # the API speaks Japan time
    return moment


def _prefectures() -> dict[str, str]:
    return {g.name: g.code for g in areas.registry().values() if g.is_prefecture}


def area_codes(text: str) -> str:
    """「宮城県 / 福島県」 → "040002 070009"; 「全国」 → "" (empty = 全国)."""
    names = [part for part in re.split(r"\s*[/／、,]\s*", clean(text)) if part]
    if not names or NATIONAL in names:
        return ""
    codes, known = [], _prefectures()
    for name in names:
        if name not in known:
            raise ValueError(f"対象地域「{name}」を都道府県（例: 宮城県）または全国として読み取れません。")
        codes.append(known[name])
    return " ".join(dict.fromkeys(codes))


def _employees(text: str) -> int | None:
    match = re.search(r"(\d[\d,]*)\s*(名|人)", nfkc(text))
    return int(match.group(1).replace(",", "")) if match else None  # 「従業員数の制約なし」 → no limit


def _industries(text: str) -> str:
    """「製造業 / 卸売業，小売業」 → "EI": jGrants names JSIC 大分類 (whose names hold commas)."""
    names = parsing.industry_names()
    parts = re.split(r"\s*/\s*", nfkc(text))
    # A heading of jGrants' own (e.g. 全業種) says nothing we can filter on: skipped.
    return "".join(sorted({names[part] for part in parts if part in names}))


def subsidy_row(number: int, summary: dict[str, Any], detail: dict[str, Any]) -> ParsedRow:
    item = {**summary, **{k: v for k, v in detail.items() if v not in (None, "")}}
    row = ParsedRow(number, external_id=str(item.get("id") or ""))
    if not row.external_id:
        row.errors.append("id がありません。")
        return row
    title = str(item.get("title") or item.get("name") or "").strip()
    if not title:
        row.errors.append("title（名称）がありません。")
    row.program["name"] = title[:200]
    parts = [_text(item.get("subsidy_catch_phrase")), _text(item.get("detail"))]
    if item.get("use_purpose"):
        parts.append(f"利用目的: {_text(item['use_purpose'])}")
    row.program["description"] = "\n\n".join(p for p in parts if p)
    page = str(item.get("front_subsidy_detail_page_url") or "")
    try:
        row.program["url"] = parsing.parse_url(page) if page and len(page) <= 200 else PORTAL_PAGE.format(id=quote(row.external_id))
    except ValueError:
        row.program["url"] = PORTAL_PAGE.format(id=quote(row.external_id))
    row.entry["type"] = ProgramType.GRANT.value if "助成" in title else ProgramType.SUBSIDY.value
    amount = item.get("subsidy_max_limit")
    if amount not in (None, "", 0):
        try:
            row.entry["amount_max"] = int(amount) if isinstance(amount, (int, float)) else parsing.parse_amount(str(amount))
        except ValueError as error:
            row.errors.append(f"subsidy_max_limit: {error}")
    rate = clean(item.get("subsidy_rate") or "")
    if rate:
        try:
            numerator, denominator, value, written = parsing.parse_rate(rate)
            row.entry.update(rate_numerator=numerator, rate_denominator=denominator, rate=value, rate_text=written[:50])
        except ValueError:
            row.entry["rate_text"] = rate[:50]  # 「1/2（小規模事業者は2/3）」: kept as written
    if item.get("target_number_of_employees"):
        employees = _employees(str(item["target_number_of_employees"]))
        if employees is not None:
            row.entry["max_employees"] = employees
    if item.get("industry"):
        row.entry["industries"] = _industries(str(item["industry"]))
    if item.get("target_area_search"):
        try:
            row.entry["area_codes"] = area_codes(str(item["target_area_search"]))
        except ValueError as error:
            row.errors.append(f"target_area_search: {error}")
    try:
        row.opens_at = _moment(item.get("acceptance_start_datetime"))
        row.closes_at = _moment(item.get("acceptance_end_datetime"))
    except ValueError as error:
        row.errors.append(f"acceptance_*_datetime: {error}")
    row.has_round = bool(row.opens_at or row.closes_at)
    if row.opens_at and row.closes_at and row.closes_at < row.opens_at:
        row.errors.append("受付締切が受付開始より前です。")
    if item.get("institution_name"):
        row.organization_name = str(item["institution_name"]).strip()[:200]
    return row


# ---------------------------------------------------------------- the run


def get_jgrants_source() -> Source:
    source, _created = Source.objects.get_or_create(
        slug="jgrants",
        defaults={"name": SOURCE_NAME, "kind": Source.Kind.JGRANTS, "licence": LICENCE, "attribution": ATTRIBUTION,
                  "url": "https://www.jgrants-portal.go.jp/"},
    )
    return source


def fetch(client: Client, keywords: Iterable[str], progress: Progress | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(list item, detail) of every open subsidy the keywords find, each id once."""
    found: dict[str, dict[str, Any]] = {}
    for keyword in keywords:
        params = {"keyword": keyword, "sort": "created_date", "order": "DESC", "acceptance": "1"}
        for item in client.get("/subsidies", params):
            found.setdefault(str(item.get("id") or ""), item)
    pairs = []
    for done, (sid, item) in enumerate(found.items(), start=1):
        details = client.get(f"/subsidies/id/{quote(sid, safe='')}") if sid else []
        pairs.append((item, details[0] if details else {}))
        if progress:
            progress(done, len(found))
    return pairs


def import_jgrants(client: Client, keywords: list[str], *, dry_run: bool = False,
                   progress: Progress | None = None) -> ImportReport:
    report = ImportReport(source=SOURCE_NAME, dry_run=dry_run)
    for keyword in keywords:
        if not 2 <= len(keyword) <= 255:
            report.file_errors.append(f"キーワード「{keyword}」は 2〜255 文字にしてください（jGrants API の決まり）。")
    if report.file_errors:
        return report
    try:
        pairs = fetch(client, keywords, progress)
    except JGrantsError as error:
        report.file_errors.append(str(error))
        report.file_errors.append("jGrants から取得できなかったため、何も保存していません。")
        return report
    rows = [subsidy_row(number, item, detail) for number, (item, detail) in enumerate(pairs, start=1)]
    return run_import(report, get_jgrants_source, [rows] if rows else [], len(rows), set())


def import_jgrants_file(path: Path, *, dry_run: bool = False) -> ImportReport:
    """A saved API response (the list or a detail, `{"metadata": …, "result": […]}`), as it is:
    for the admin upload, where fetching a thousand details in a web request would not do."""
    report = ImportReport(source=SOURCE_NAME, dry_run=dry_run)
    try:
        items = _result(path.name, path.read_bytes())
    except JGrantsError as error:
        report.file_errors.append(str(error))
        return report
    rows = [subsidy_row(number, item, {}) for number, item in enumerate(items, start=1)]
    return run_import(report, get_jgrants_source, [rows] if rows else [], len(rows), set())
