"""madoguchi search "質問": the one-stop search from the command line.

    madoguchi search "大学の特許をライセンスしてほしい"     a readable table
    madoguchi search --json "信用保証を受けたい"            one JSON object
    madoguchi search --queries questions.txt               one JSON line per question, in order
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.catalog.filters import FilterError, ProgramFilters
from madoguchi.search.service import SearchError, SearchResponse, search


def as_json(response: SearchResponse) -> dict[str, Any]:
    """Return the CLI's JSON shape: {"query", "results": [{kind, id, name, organization, score, reasons, url}]}.

    A catalog program's result also carries type, status, closes, amount_max, area_codes and source.
    """
    return {
        "query": response.query,
        "results": [
            {"kind": h.kind, "id": h.id, "name": h.name, "organization": h.organization,
             "score": round(h.score, 4), "reasons": h.reasons, "url": h.url, **(h.program or {})}
            for h in response.results
        ],
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = _("ワンストップ検索を実行し、結果と理由を表示します。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="", help=_("質問（日本語・英語）"))
        parser.add_argument("--json", action="store_true", help=_("JSON で出力する"))
        parser.add_argument("--queries", metavar="FILE", help=_("1 行 1 質問のファイル。質問ごとに JSON を 1 行出力する"))
        parser.add_argument("--limit", type=int, default=10)
        for name in ("function", "stage", "municipality", "kind", "field"):
            parser.add_argument(f"--{name}")
        # The catalog's program filters (catalog.filters.ProgramFilters).
        parser.add_argument("--open", action="store_true", help=_("受付中・締切間近の制度だけ"))
        parser.add_argument("--closes-before", metavar="YYYY-MM-DD", help=_("この日までに締め切る制度だけ"))
        parser.add_argument("--area", metavar="CODE", help=_("この地域（全国地方公共団体コード）で使える制度だけ（県・全国の制度も含む）"))
        parser.add_argument("--type", metavar="TYPE", help=_("種別（補助金、融資、…）"))
        parser.add_argument("--amount-min", metavar="YEN", help=_("上限額がこの額以上の制度だけ（上限額不明は除く）"))
        parser.add_argument("--employees", metavar="N", help=_("従業員がこの人数の事業者が対象になる制度だけ"))

    def handle(self, *args: Any, **options: Any) -> None:
        filters: dict[str, Any] = {k: options[k] for k in ("function", "stage", "municipality", "kind", "field")}
        try:
            filters["programs"] = ProgramFilters.from_params(
                {k: options[k] for k in ("open", "closes_before", "area", "type", "amount_min", "employees")})
        except FilterError as exc:
            raise CommandError(exc.message) from exc
        try:
            if options["queries"]:
                path = Path(options["queries"])
                if not path.is_file():
                    raise CommandError(_("質問ファイル %(path)s が見つかりません。") % {"path": path})
                for line in path.read_text(encoding="utf-8").splitlines():
                    response = search(line, limit=options["limit"], **filters)
                    self.stdout.write(json.dumps(as_json(response), ensure_ascii=False))
                return
            response = search(options["query"], limit=options["limit"], **filters)
        except SearchError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(as_json(response), ensure_ascii=False, indent=2))
            return
        self._table(response)

    def _table(self, response: SearchResponse) -> None:
        if response.notice:
            self.stdout.write(response.notice)
        if response.diagnosis_entry:
            self.stdout.write(_("質問が空です。ワンストップ診断（/search/diagnosis/）から始めてください。"))
            return
        if response.facets:
            self.stdout.write(_("読み取った条件: ") + "、".join(f.label for f in response.facets))
        if not response.results:
            self.stdout.write(_("該当する支援機関・支援事業は見つかりませんでした。"))
            return
        for i, h in enumerate(response.results, 1):
            org = f"（{h.organization}）" if h.organization else ""
            self.stdout.write(f"{i:>2}. {_pad(h.kind_label, 14)} {h.name}{org}  {h.score:.2f}")
            self.stdout.write("      " + " / ".join(h.reasons))
