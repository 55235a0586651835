from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "データベース全体をファイルに保存します（PostgreSQL: pg_dump カスタム形式、SQLite: オンラインバックアップ）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="書き出すファイル")
        parser.add_argument("--database", default="default", help="データベースの別名（既定: default）")

    def handle(self, *args: Any, output: Path, database: str, **options: Any) -> None:
        if not output.parent.is_dir():
            raise CommandError(f"保存先のフォルダ {output.parent} がありません。")
        try:
            backup(output, database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"バックアップを書き出しました: {output}（{output.stat().st_size:,} バイト）")
