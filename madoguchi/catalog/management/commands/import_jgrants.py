"""madoguchi import-jgrants [--base-url URL] [--keyword WORD]… [--dry-run]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.catalog.jgrants import DEFAULT_BASE_URL, Client, import_jgrants
from madoguchi.catalog.management.commands.import_programs import ProgressBar, print_report


class Command(BaseCommand):
    help = "Jグランツ（jGrants）公開 API v1 から受付中の補助金を取り込む（出典: Jグランツ、政府標準利用規約）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"API の基底 URL（既定: {DEFAULT_BASE_URL}）")
        parser.add_argument("--keyword", action="append", dest="keywords", metavar="WORD",
                            help="検索語（2〜255 文字、繰り返し可。既定: 補助金）")
        parser.add_argument("--interval", type=float, default=0.5, help="リクエストの最小間隔（秒、既定 0.5）")
        parser.add_argument("--timeout", type=float, default=20.0, help="1 リクエストの待ち時間の上限（秒、既定 20）")
        parser.add_argument("--retries", type=int, default=3, help="失敗時の再試行回数（既定 3、間隔は 1, 2, 4 秒…）")
        parser.add_argument("--backoff", type=float, default=1.0, help="最初の再試行までの秒数（以後 2 倍、既定 1）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして保存しない")
        parser.add_argument("--no-progress", action="store_true", help="進み具合を表示しない")

    def handle(self, *args: Any, **opts: Any) -> None:
        client = Client(base_url=opts["base_url"], timeout=opts["timeout"], retries=max(opts["retries"], 0),
                        backoff=max(opts["backoff"], 0.0), interval=max(opts["interval"], 0.0))
        bar = None if opts["no_progress"] else ProgressBar(self.stderr, unit="件")
        report = import_jgrants(client, opts["keywords"] or ["補助金"], dry_run=opts["dry_run"], progress=bar)
        if bar:
            bar.close()
        self.stderr.write(f"jGrants API へのリクエスト: {client.requests} 回")
        print_report(self, report, opts["verbosity"], row_label="%(row)d 件目（jGrants id %(id)s）")
