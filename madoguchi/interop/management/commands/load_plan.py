"""`madoguchi load-plan [--file PATH]`: load the 2005 plan; a second run changes nothing and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.interop.loader import load_plan
from madoguchi.interop.plan import PlanError


class Command(BaseCommand):
    help = "宮城県 事業環境整備構想（平成17年12月）を読み込みます（何度実行しても同じ結果になります）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=None,
            help="計画のテキストファイル（既定: 設定 PLAN_FILE）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or Path(settings.PLAN_FILE)
        try:
            load_plan(path, stdout=self.stdout, progress=True)
        except PlanError as exc:
            raise CommandError(f"計画を読み込めませんでした。データベースは変更していません: {exc}") from exc
