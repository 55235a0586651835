from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from madoguchi.catalog.alerts import prune, send_alerts
from madoguchi.catalog.stars import send_deadline_reminders


class Command(BaseCommand):
    help = "保存した検索条件の新着メールと、お気に入りの制度の締切 7 日前のお知らせを送信キューに入れます（madoguchi worker が毎日 07:30 に行います。これは手動で実行するためのコマンドです）。"

    def handle(self, *args: Any, **options: Any) -> None:
        alerts = send_alerts()
        reminders = send_deadline_reminders()
        self.stdout.write(_(
            "新着のお知らせ %(alerts)d 件、締切のお知らせ %(reminders)d 件を送信キューに入れました"
            "（送信は madoguchi worker が行います）。"
        ) % {"alerts": alerts, "reminders": reminders})
        prune()
