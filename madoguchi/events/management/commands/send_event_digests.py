from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from madoguchi.events.search import drop_ended_events
from madoguchi.events.subscriptions import send_digests


class Command(BaseCommand):
    help = "イベント情報のメール配信: 今日のダイジェストを送信キューに入れ、終わったイベントを検索から外します（madoguchi worker が毎日 07:00 に行います。これは手動で実行するためのコマンドです）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_digests()
        self.stdout.write(f"ダイジェストを {count} 件、送信キューに入れました（送信は madoguchi worker が行います）。")
        # The search cannot filter by time, so the daily run is what takes ended events out.
        dropped = drop_ended_events()
        self.stdout.write(_("終了したイベント %(n)d 件を検索の対象から外しました。") % {"n": dropped})
