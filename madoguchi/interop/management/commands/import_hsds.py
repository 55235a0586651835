"""madoguchi import-hsds PATH [--source NAME] [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.catalog.management.commands.import_programs import ProgressBar, print_report
from madoguchi.interop.hsds_import import DEFAULT_SOURCE, import_hsds


class Command(BaseCommand):
    help = (
        "Open Referral HSDS 3.0 のフィード（JSON のオブジェクト・一覧ページ・配列、その入ったフォルダ、"
        "または datapackage.json の表形式データパッケージ）から支援制度を取り込む。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="JSON ファイル、フォルダ、datapackage.json、またはその .zip")
        parser.add_argument("--source", default=DEFAULT_SOURCE, help=f"出典の名前またはスラッグ（既定: {DEFAULT_SOURCE}）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして保存しない")
        parser.add_argument("--no-progress", action="store_true", help="進み具合を表示しない")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        if not path.exists():
            raise CommandError(f"{path} がありません。")
        bar = None if opts["no_progress"] else ProgressBar(self.stderr, unit="件")
        report = import_hsds(path, opts["source"], dry_run=opts["dry_run"], progress=bar)
        if bar:
            bar.close()
        print_report(self, report, opts["verbosity"], row_label="%(row)d 件目（id %(id)s）")
