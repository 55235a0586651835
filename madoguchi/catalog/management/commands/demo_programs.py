"""madoguchi demo-programs N: N realistic programs across all 47 prefectures (to become `demo --programs N`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.catalog.management.commands.import_programs import ProgressBar
from madoguchi.catalog.synthetic import create_demo_programs


class Command(BaseCommand):
    help = _("全国の市区町村・都道府県・全国の制度を N 件生成して取り込み、検索に反映する（デモ・負荷試験用）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help=_("生成する制度の数（例: 100000）"))
        parser.add_argument("--no-progress", action="store_true", help=_("進み具合を表示しない"))

    def handle(self, *args: Any, **opts: Any) -> None:
        count = opts["count"]
        if count < 1:
            raise CommandError(_("制度の数は 1 以上にしてください。"))
        bar = None if opts["no_progress"] else ProgressBar(self.stderr)
        started = time.monotonic()
        report = create_demo_programs(count, progress=bar)
        if bar:
            bar.close()
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
        self.stdout.write(_("%(n)d 件の制度を %(s).1f 秒で生成・取り込み・索引しました。") % {"n": count, "s": time.monotonic() - started})
