"""madoguchi match --all | --listing UUID : refresh suggestions (the nightly batch is --all)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from madoguchi.matching import alerts, suggestions
from madoguchi.matching.models import Listing


class Command(BaseCommand):
    help = "マッチングの候補を更新する（--all は毎晩のバッチ）。"

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="公開中のすべての掲載の候補を更新する")
        group.add_argument("--listing", help="この掲載（UUID）の候補を更新する")

    def handle(self, *args: Any, **opts: Any) -> None:
        start = time.perf_counter()
        if opts["listing"]:
            listing = Listing.objects.filter(uuid=opts["listing"]).first()
            if listing is None:
                raise CommandError(f"掲載 {opts['listing']} が見つかりません。")
            rows = suggestions.refresh(listing)
            self.stdout.write(f"「{listing.title}」の候補 {len(rows)} 件を更新しました。")
            return
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if done == total or now - last[0] > 2:
                last[0] = now
                self.stdout.write(f"  {done:,} / {total:,} 件")

        n = suggestions.refresh_all(progress=progress)
        # alerts for listings published since the last run (idempotent: each address is told once)
        since = timezone.now() - dt.timedelta(days=2)
        sent = sum(alerts.alert_for_new_listing(x) for x in Listing.objects.live().filter(updated__gte=since))
        reminded = alerts.send_renewal_reminders()
        self.stdout.write(f"{n:,} 件の掲載の候補を更新しました（{time.perf_counter() - start:.1f} 秒）。"
                          f"新着のお知らせ {sent} 通、期限の案内 {reminded} 通をキューに入れました。")
