"""madoguchi match --all | --listing UUID : refresh suggestions (the nightly batch is --all)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.matching import jobs, matches
from madoguchi.matching.models import Listing


class Command(BaseCommand):
    help = "マッチングの候補を更新する（--all は毎晩のバッチ、--stale は数分おき。どちらも madoguchi worker が予定どおりに行う）。"

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="公開中のすべての掲載の候補を更新する")
        group.add_argument("--listing", help="この掲載（UUID）の候補を更新する")
        group.add_argument("--stale", action="store_true", help="変更後まだ候補を更新していない掲載だけを更新し、新着を知らせる（数分おきに実行）")

    def handle(self, *args: Any, **opts: Any) -> None:
        start = time.perf_counter()
        if opts["listing"]:
            listing = Listing.objects.filter(uuid=opts["listing"]).first()
            if listing is None:
                raise CommandError(_("掲載 %(uuid)s が見つかりません。") % {"uuid": opts["listing"]})
            rows = matches.refresh(listing)
            self.stdout.write(_("「%(title)s」の候補 %(n)d 件を更新しました。") % {"title": listing.title, "n": len(rows)})
            return
        if opts["stale"]:
            refreshed, sent = jobs.refresh_stale()
            self.stdout.write(_("%(n)d 件の掲載の候補を更新し、新着のお知らせ %(sent)d 通をキューに入れました。") % {
                "n": refreshed, "sent": sent})
            return
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if done == total or now - last[0] > 2:
                last[0] = now
                self.stdout.write(_("  %(done)s / %(total)s 件") % {"done": f"{done:,}", "total": f"{total:,}"})

        done = jobs.nightly(progress=progress)
        self.stdout.write(_("%(n)s 件の掲載の候補を更新しました（%(s).1f 秒）。新着のお知らせ %(sent)d 通、期限の案内 %(reminded)d 通をキューに入れました。") % {
            "n": f"{done.refreshed:,}", "s": time.perf_counter() - start, "sent": done.alerts, "reminded": done.reminders})
