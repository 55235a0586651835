"""`madoguchi report --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|xlsx] [--output FILE]`: the yearly report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.reports import exports, metrics
from madoguchi.reports.forms import parse_period


class Command(BaseCommand):
    help = "期間の実績（KPI）と需要と供給（支援の空白）を CSV または Excel で出力します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="開始日（YYYY-MM-DD、この日を含む）")
        parser.add_argument("--to", dest="end", required=True, help="終了日（YYYY-MM-DD、この日を含む）")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="csv（既定）または xlsx")
        parser.add_argument("--output", default="", help="書き出すファイル（省略時は標準出力。xlsx では必須）")

    def handle(self, *args: Any, **options: Any) -> None:
        period = parse_period(options["start"], options["end"])
        if isinstance(period, list):
            raise CommandError(" ".join(period))
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx" and not output:
            raise CommandError(_("Excel 形式では --output で書き出すファイルを指定してください。"))
        filters = metrics.Filters()
        tables = exports.kpi_tables(metrics.kpis(period, filters)) + exports.coverage_tables(metrics.coverage(period, filters))
        title, heading = _("madoguchi 年次報告"), exports.conditions(period, filters)
        body = exports.render(fmt, title, heading, tables)
        if not output:
            self.stdout.write(body.decode("utf-8"), ending="")  # only CSV gets here; the BOM stays for Excel
            return
        try:
            Path(output).write_bytes(body)
        except OSError as exc:
            raise CommandError(_("%(path)s に書き出せません: %(error)s") % {"path": output, "error": exc.strerror}) from None
        self.stderr.write(_("%(path)s に書き出しました（%(start)s – %(end)s）。") % {
            "path": output, "start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"})
