"""`madoguchi anonymise-registrations [--older-than DAYS]`: personal data of past events' registrations goes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.events.anonymise import anonymise_registrations
from madoguchi.events.models import Event


class Command(BaseCommand):
    help = _("終了から保存期間を過ぎたイベントの参加申込を匿名化します（人数の統計に必要な項目は残します）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than", type=int, default=None, dest="older_than",
            help=_("イベントの終了から何日経った申込を対象にするか（既定: REGISTRATION_RETENTION_DAYS）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.REGISTRATION_RETENTION_DAYS if options["older_than"] is None else options["older_than"]
        if days < 0:
            raise CommandError(_("--older-than には 0 以上の日数を指定してください（%(days)d が指定されました）。") % {"days": days})

        def progress(event: Event, count: int) -> None:
            self.stdout.write(
                _("%(day)s %(title)s: %(count)d 件") % {
                    "day": f"{timezone.localtime(event.ends_at):%Y-%m-%d}", "title": event.title, "count": count,
                }
            )

        total = anonymise_registrations(days, progress)
        self.stdout.write(_("%(count)d 件の参加申込を匿名化しました（イベントの終了から %(days)d 日超）。") % {"count": total, "days": days})
