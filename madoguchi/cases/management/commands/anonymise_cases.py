from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from madoguchi.cases.anonymise import anonymise_closed_cases


class Command(BaseCommand):
    help = "保存期間を過ぎた終了済みの相談を匿名化します（統計に必要な項目は残します）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=None, dest="older_than",
                            help="終了から何日経った相談を対象にするか（既定: CASE_RETENTION_DAYS）")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.CASE_RETENTION_DAYS if options["older_than"] is None else options["older_than"]
        count = anonymise_closed_cases(days)
        self.stdout.write(f"{count} 件の相談を匿名化しました（終了から {days} 日超）。")
