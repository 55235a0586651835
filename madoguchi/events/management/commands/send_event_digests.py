from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.events.subscriptions import send_digests


class Command(BaseCommand):
    help = "イベント情報のメール配信: 今日のダイジェストを送信キューに入れます（1日1回、cron から）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_digests()
        self.stdout.write(f"ダイジェストを {count} 件、送信キューに入れました（送信は madoguchi worker が行います）。")
