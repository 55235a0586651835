from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.cases.models import ApiToken
from madoguchi.directory.roles import staff_membership


class Command(BaseCommand):
    help = "機関の担当者に API トークンを発行します。トークンはこの一度だけ表示され、ハッシュのみ保存されます。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API", help="用途（例: 受付システム）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"ユーザー {options['username']} が見つかりません。")
        if staff_membership(user) is None:
            raise CommandError("API トークンは機関に所属する担当者にだけ発行できます（所属を先に登録してください）。")
        _token, raw = ApiToken.objects.issue(user=user, name=options["name"])
        self.stdout.write(raw)
