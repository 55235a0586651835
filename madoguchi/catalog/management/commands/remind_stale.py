from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from madoguchi.catalog.freshness import remind_stale


class Command(BaseCommand):
    help = "要確認の制度を各機関の職員にメールで知らせます（madoguchi worker が毎週月曜 08:00 に行います。同じ週の2回目は送りません）。"

    def handle(self, *args: Any, **options: Any) -> None:
        result = remind_stale()
        self.stdout.write(_(
            "%(sent)d 機関にお知らせを送信キューに入れました（今週送信済み %(done)d 機関、宛先なし %(nobody)d 機関）。"
            "送信は madoguchi worker が行います。"
        ) % {"sent": result.sent, "done": result.skipped_sent, "nobody": result.skipped_nobody})
