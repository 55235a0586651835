"""madoguchi import-programs FILE --source NAME [--dry-run]"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.catalog.importer import ImportReport, import_programs


class ProgressBar:
    """A one-line bar on stderr, redrawn at most every 0.2 s (the summary goes to stdout)."""

    def __init__(self, stream: Any, width: int = 30, unit: str = "") -> None:
        self.stream, self.width, self.last = stream, width, 0.0
        self.unit = unit  # "" = 行 (rows); other importers count objects (件)
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        share = min(done / total, 1.0) if total else 1.0
        filled = int(share * self.width)
        rate = done / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,} "
            + (self.unit or _("行")) + f" ({share:.0%}, {rate:,.0f} " + (f"{self.unit}/秒" if self.unit else _("行/秒")) + ")",
            ending="",
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("")


class Command(BaseCommand):
    help = "今日の支援制度を CSV（UTF-8・Shift_JIS）または Excel（.xlsx、日本語見出し）から取り込む。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="出典の名前またはスラッグ（なければ作成）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして保存しない")
        parser.add_argument("--no-progress", action="store_true", help="進み具合を表示しない")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(_("ファイル %(path)s がありません。") % {"path": path})
        bar = None if opts["no_progress"] else ProgressBar(self.stderr)
        started = time.monotonic()
        report = import_programs(path, opts["source"], dry_run=opts["dry_run"], progress=bar)
        if bar:
            bar.close()
        elapsed = time.monotonic() - started
        print_report(self, report, opts["verbosity"])
        total = sum(report.counts.values())
        if opts["verbosity"] >= 1 and total:
            self.stderr.write(_("%(n)s 行を %(s).1f 秒で処理（%(r)s 行/秒）") % {
                "n": f"{total:,}", "s": elapsed, "r": f"{total / max(elapsed, 1e-6):,.0f}"})


def print_report(command: BaseCommand, report: ImportReport, verbosity: int, row_label: str = "") -> None:
    """Per-row errors (and with -v 2 every row), the institutions, then the summary; CommandError if not ok.

    `row_label` formats a row for importers whose rows are objects, e.g. "%(row)d 件目（id %(id)s）".
    """
    out = command.stdout
    if report.encoding and not row_label:
        out.write(_("文字コード: %(enc)s") % {"enc": report.encoding})
    for message in report.file_errors if row_label else []:
        out.write(message)
    for row in report.rows:
        where = (row_label % {"row": row.row, "id": row.external_id or "—"}) if row_label else ""
        if row.action == "error":
            for message in row.errors:
                out.write(f"{where}: {message}" if row_label else _("%(row)d 行目（制度ID %(id)s）: %(message)s") % {
                    "row": row.row, "id": row.external_id or "—", "message": message})
        elif verbosity >= 2:
            out.write(f"{where}: {row.action}" if row_label else _("%(row)d 行目（制度ID %(id)s）: %(action)s") % {
                "row": row.row, "id": row.external_id, "action": row.action})
    for line in report.institution_lines:
        out.write(line)
    if not report.ok:
        # A feed's errors were listed one per line above; the CSV importer's stay in its summary.
        refused = "取り込めませんでした（誤りは上のとおり。何も保存していません）。"
        raise CommandError(refused if row_label and report.file_errors else report.summary())
    out.write(report.summary())
