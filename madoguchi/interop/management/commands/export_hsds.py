"""`madoguchi export-hsds --output DIR [--format json|csv]`: the registry as Open Referral HSDS 3.0 open data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.interop.hsds import ExportError, write_export


class Command(BaseCommand):
    help = "登録簿（支援機関・支援事業・所在地・支援機能）を Open Referral HSDS 3.0 の JSON または CSV で書き出します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, required=True, help="書き出し先のディレクトリ（なければ作成）")
        parser.add_argument(
            "--format", choices=["json", "csv"], default="json",
            help="json: 表ごとの JSON 配列 / csv: HSDS の examples/csv と同じ列の CSV（既定: json）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = write_export(options["output"], options["format"], stdout=self.stdout)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{options['output']} に {len(counts)} 表・{sum(counts.values())} 件を書き出しました。"
        ))
