"""madoguchi import-listings FILE --owner SLUG [--dry-run] [--publish]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.directory.models import Organization
from madoguchi.matching.importers import import_csv


class Command(BaseCommand):
    help = "技術シーズ・特許・受注可能な技術を CSV（日本語見出し、UTF-8 または Shift_JIS）から取り込む。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--owner", required=True, help="掲載者の機関（スラッグ）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして保存しない")
        parser.add_argument("--publish", action="store_true", help="承認済みとして公開する（コーディネーターの取り込み）")

    def handle(self, *args: Any, **opts: Any) -> None:
        owner = Organization.objects.filter(slug=opts["owner"]).first()
        if owner is None:
            raise CommandError(_("機関「%(slug)s」が見つかりません。スラッグを確認してください。") % {"slug": opts["owner"]})
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(_("ファイル %(path)s がありません。") % {"path": path})
        report = import_csv(path, owner=owner, dry_run=opts["dry_run"], publish=opts["publish"])
        if report.encoding:
            self.stdout.write(_("文字コード: %(enc)s") % {"enc": report.encoding})
        for row in report.rows:
            if row.action == "error":
                for message in row.errors:
                    self.stdout.write(_("%(row)d 行目（外部キー %(key)s）: %(message)s") % {
                        "row": row.row, "key": row.external_key or "—", "message": message})
            elif opts["verbosity"] >= 2:
                self.stdout.write(_("%(row)d 行目（外部キー %(key)s）: %(action)s") % {
                    "row": row.row, "key": row.external_key, "action": row.action})
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
