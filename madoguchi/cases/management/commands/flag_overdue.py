from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.cases.overdue import flag_overdue


class Command(BaseCommand):
    help = "回答期限（営業日）を過ぎた紹介に印を付け、コーディネーターと紹介先に通知します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="営業日数（既定: REFERRAL_ANSWER_DAYS）")

    def handle(self, *args: Any, **options: Any) -> None:
        count = flag_overdue(options["days"])
        self.stdout.write(f"期限超過の紹介: {count} 件に印を付けました。")
