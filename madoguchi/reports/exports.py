"""The reports as tables: what the pages show, and exactly that in CSV and Excel.

A page renders these `Table`s (the coverage page also draws its matrix from the same cells), and
the downloads write the same rows, so a number in a file is always the number on the screen:
suppressed counts stay 「3件未満」 in both.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from madoguchi.lib.spreadsheet import append_row, csv_writer
from madoguchi.reports.metrics import Coverage, Filters, Kpis, Period, shown, shown_total


@dataclass
class Table:
    key: str  # the sheet's name in Excel and the section's id on the page
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    gap_column: int | None = None  # the column that says 「不足」, shown as a badge on the page
    numeric: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [i > 0 for i in range(len(self.columns))]


def gap_label(gap: bool) -> str:
    return _("不足") if gap else ""


def conditions(period: Period, filters: Filters) -> list[tuple[str, str]]:
    """The period and filters as (label, value) lines: the heading of every download."""
    lines = [(_("期間"), f"{period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}")]
    if filters.function is not None:
        lines.append((_("支援機能"), str(filters.function)))
    if filters.stage is not None:
        lines.append((_("事業段階"), str(filters.stage)))
    if filters.municipality is not None:
        lines.append((_("市区町村"), str(filters.municipality)))
    return lines


def kpi_tables(k: Kpis) -> list[Table]:
    r = k.referrals
    median = _("%(days)s 営業日") % {"days": f"{r.median_days:g}"} if r.median_days is not None else _("—（回答3件未満）")
    item, count = _("項目"), _("件数")
    return [
        Table("consultations", _("相談と紹介"), [item, count], [
            [_("受け付けた相談"), shown(k.consultations)],
            [_("送った紹介"), shown_total(r.sent, [r.accepted, r.declined, r.unanswered])],
            [_("受諾された紹介"), shown(r.accepted)],
            [_("辞退された紹介"), shown(r.declined)],
            [_("回答待ちの紹介"), shown(r.unanswered)],
            [_("回答期限を過ぎた紹介"), shown(r.overdue)],
            [_("回答までの営業日数（中央値）"), median],
        ], note=_("紹介は期間中に送ったもの。期限は送付の翌営業日から数えた営業日で、期限後の回答も「過ぎた」に数えます。")),
        Table("outcomes", _("終了した相談の成果"), [_("成果"), count],
              [[label, shown(n)] for label, n in k.outcomes] + [[_("合計"), shown_total(k.closed, [n for _label, n in k.outcomes])]],
              note=_("期間中に終了した相談。内訳に「3件未満」があるときは、差し引きで分からないよう合計を「秘匿」とします。")),
        Table("matching", _("マッチングの紹介"), [_("状態"), count],
              [[label, shown(n)] for label, n in k.introductions],
              note=_("期間中に依頼された紹介（絞り込みは適用されません）。")),
        Table("matching_outcomes", _("マッチングから生まれた案件の成果"), [_("成果"), count],
              [[label, shown(n)] for label, n in k.introduction_outcomes]),
        Table("events", _("イベント"), [item, count], [
            [_("開催したイベント"), k.events_held],
            [_("中止したイベント"), k.events_cancelled],
            *[[_("申込（%(status)s）") % {"status": label}, shown(n)] for label, n in k.registrations],
            [_("参加（終了したイベントの確定申込）"), shown(k.attended)],
        ], note=_("期間中に始まるイベント。出欠は記録していないため、終了したイベントの確定申込を参加として数えます。")),
    ]


def coverage_tables(c: Coverage) -> list[Table]:
    demand, programs, institutions, verdict = _("相談件数"), _("支援事業数"), _("支援機関数"), _("判定")
    matrix_rows = [
        [row.label, str(stage), cell.shown_demand, cell.programs, cell.institutions, gap_label(cell.gap)]
        for row in c.matrix for stage, cell in zip(c.stages, row.cells, strict=True)
    ]
    return [
        Table("function_stage", _("支援機能 × 事業段階"), [_("支援機能"), _("事業段階"), demand, programs, institutions, verdict],
              matrix_rows, note=_("段階が記録されていない相談: %(n)s") % {"n": shown(c.without_stage)},
              gap_column=5, numeric=[False, False, True, True, True, False]),
        Table("fields", _("分野"), [_("分野"), _("需要（技術ニーズ・資金調達の掲載）"), programs, institutions, verdict],
              [[row.label, row.cells[0].shown_demand, row.cells[0].programs, row.cells[0].institutions,
                gap_label(row.cells[0].gap)] for row in c.fields],
              note=_("相談には分野の記録がないため、分野別の需要はマッチングで支援を求める掲載（技術ニーズ・資金調達の希望）で数えます。"),
              gap_column=4, numeric=[False, True, True, True, False]),
        Table("areas", _("市区町村"), [_("市区町村"), demand, _("所在する支援機関数"), _("対象地域を限った支援事業数"), verdict],
              [[a.label, shown(a.demand), a.institutions, a.programs, gap_label(a.gap)] for a in c.areas],
              note=_("区は市にまとめて数えます。判定は所在する支援機関数によります。"),
              gap_column=4, numeric=[False, True, True, True, False]),
    ]


def to_csv(title: str, heading: list[tuple[str, str]], tables: list[Table]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Japanese correctly; one block per table.

    Text a spreadsheet would run as a formula gets a leading `'` (madoguchi.lib.spreadsheet).
    """
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([title])
    for label, value in heading:
        writer.writerow([label, value])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        if table.note:
            writer.writerow([table.note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, heading: list[tuple[str, str]], tables: list[Table]) -> bytes:
    """One sheet for the conditions, then one sheet per table; numbers stay numbers, text stays text
    (every row goes through madoguchi.lib.spreadsheet, so no label or title becomes a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet, and it is the active one
    sheet.title = _("条件")[:31]
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True)
    for label, value in heading:
        append_row(sheet, [label, value])
    for table in tables:
        ws = book.create_sheet(table.title[:31])
        append_row(ws, [table.title])
        ws["A1"].font = Font(bold=True)
        append_row(ws, table.columns)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            append_row(ws, row)
        if table.note:
            ws.append([])
            append_row(ws, [table.note])
        ws.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(fmt: str, title: str, heading: list[tuple[str, str]], tables: list[Table]) -> bytes:
    """The file in `fmt` ("csv" or "xlsx"): the pages' downloads and `madoguchi report` alike."""
    return to_csv(title, heading, tables) if fmt == "csv" else to_xlsx(title, heading, tables)
