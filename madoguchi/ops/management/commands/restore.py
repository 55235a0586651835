from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "バックアップファイルでデータベースの内容を置き換えます（今の内容は失われます）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="madoguchi backup が書いたファイル")
        parser.add_argument("--database", default="default", help="データベースの別名（既定: default）")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="確認せずに復元します")

    def handle(self, *args: Any, file: Path, database: str, interactive: bool, **options: Any) -> None:
        if interactive:
            answer = input(f"データベース {database} の内容を {file} で置き換えます。よろしいですか？ [yes/no]: ")
            if answer.strip().lower() not in ("yes", "y", "はい"):
                raise CommandError("復元を取りやめました。")
        try:
            restore(file, database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"復元しました: {file}")
