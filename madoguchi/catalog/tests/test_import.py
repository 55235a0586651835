"""madoguchi import-programs: encodings, Excel, row errors, idempotence, local edits, dry run."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from madoguchi.catalog.models import CallRound, CatalogEntry, CorporateNumber, Source
from madoguchi.catalog.presentation import entry_facts
from madoguchi.catalog.status import Status
from madoguchi.directory.models import Organization, Program

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "programs.csv"
HEADERS = ["制度ID", "名称", "実施機関", "種別", "対象地域コード", "受付開始", "受付締切", "上限額", "補助率", "URL", "確認日"]
ROW = ["A-1", "設備投資補助金", "宮城県", "補助金", "040002", "2026-04-01", "2026-06-30 17:00", "1,000万円", "2/3",
       "https://example.jp/a1", "2026-03-15"]


def write_csv(path: Path, rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(path: Path, source: str = "テスト出典", **options: Any) -> str:
    out = io.StringIO()
    call_command("import_programs", str(path), source=source, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def fails(path: Path, **options: Any) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_programs", str(path), source="テスト出典", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue() + str(error.value)


def snapshot() -> tuple[int, ...]:
    return (Program.objects.count(), CatalogEntry.objects.count(), CallRound.objects.count(),
            Organization.objects.count(), Source.objects.count())


@pytest.mark.django_db
def test_the_example_file_imports_and_a_second_run_changes_nothing() -> None:
    first = run(EXAMPLE, source="宮城県オープンデータ")
    assert "4 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in first
    assert "未確認の機関として作成した実施機関: 宮城県、仙台市" in first
    second = run(EXAMPLE, source="宮城県オープンデータ")
    assert "0 件追加, 0 件更新, 4 件変更なし, 0 件エラー" in second
    assert Program.objects.count() == 4
    entry = CatalogEntry.objects.select_related("program").get(external_id="miyagi-setsubi-2027")
    assert entry.amount_max == 10_000_000 and (entry.rate_numerator, entry.rate_denominator) == (1, 2)
    assert entry.area_code_list == ["040002"] and entry.industries == "EG" and entry.max_employees == 300
    assert entry.program.verified_at == dt.date(2026, 11, 16)
    assert Source.objects.get(name="宮城県オープンデータ").last_import_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "p.csv", [ROW], encoding=encoding)
    out = run(path)
    assert "1 件追加" in out
    assert ("Shift_JIS" if encoding == "cp932" else "UTF-8") in out
    assert Program.objects.get().name == "設備投資補助金"


@pytest.mark.django_db
def test_excel_with_columns_in_another_order_and_unknown_columns(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["備考", *reversed(HEADERS)])
    sheet.append(["無視される", *reversed(ROW)])
    path = tmp_path / "p.xlsx"
    book.save(path)
    assert "1 件追加" in run(path)
    entry = CatalogEntry.objects.get()
    assert entry.type == "subsidy" and entry.amount_max == 10_000_000


@pytest.mark.django_db
def test_re_import_updates_in_place_and_keeps_local_edits(tmp_path: Path) -> None:
    run(write_csv(tmp_path / "p.csv", [ROW]))
    entry = CatalogEntry.objects.select_related("program").get()
    # Staff add what the source does not carry: how to apply, and a description.
    entry.how_to_apply = "電子申請（jGrants）で申請してください。"
    entry.save()
    Program.objects.filter(pk=entry.program_id).update(description="職員が書いた説明")
    changed = ROW.copy()
    changed[7] = "2,000万円"
    changed[6] = "2026-07-31 17:00"
    out = run(write_csv(tmp_path / "p.csv", [changed]))
    assert "0 件追加, 1 件更新, 0 件変更なし" in out
    entry = CatalogEntry.objects.select_related("program").get()
    assert entry.pk == CatalogEntry.objects.get().pk and Program.objects.count() == 1
    assert entry.amount_max == 20_000_000
    assert entry.rounds.get().closes_at.date() == dt.date(2026, 7, 31)
    assert entry.how_to_apply == "電子申請（jGrants）で申請してください。"
    assert entry.program.description == "職員が書いた説明"


@pytest.mark.django_db
def test_the_same_id_in_another_source_is_another_program(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [ROW])
    run(path, source="出典A")
    run(path, source="出典B")
    assert CatalogEntry.objects.count() == 2


@pytest.mark.django_db
def test_dry_run_saves_nothing_but_reports_the_same(tmp_path: Path) -> None:
    before = snapshot()
    out = run(write_csv(tmp_path / "p.csv", [ROW]), dry_run=True)
    assert "1 件追加" in out and "試行のため保存していません" in out
    assert snapshot() == before


@pytest.mark.django_db
def test_one_bad_row_saves_nothing_and_names_its_row(tmp_path: Path) -> None:
    run(write_csv(tmp_path / "p.csv", [ROW]))
    before = snapshot()
    good = ROW.copy()
    good[0] = "A-2"
    bad = ROW.copy()
    bad[0], bad[7] = "A-3", "たくさん"
    out = fails(write_csv(tmp_path / "p.csv", [good, bad]))
    assert "3 行目（制度ID A-3）: 上限額: 金額「たくさん」を読み取れません" in out
    assert "1 件追加, 0 件更新, 0 件変更なし, 1 件エラー（エラーがあるため、何も保存していません）" in out
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (0, "", "制度ID が空です"),
        (1, "", "名称 が空です"),
        (3, "ローン", "種別「ローン」は使えません"),
        (4, "041008", "チェックデジット"),
        (5, "4月1日", "受付開始: 日時「4月1日」を読み取れません"),
        (6, "2026-03-01", "受付締切が受付開始より前です"),
        (7, "多め", "上限額: 金額"),
        (8, "3/2", "補助率"),
        (9, "example.jp", "URL「example.jp」"),
        (10, "昨日", "確認日: 日付"),
    ],
)
def test_every_column_refuses_a_bad_value(tmp_path: Path, column: int, value: str, message: str) -> None:
    row = ROW.copy()
    row[column] = value
    out = fails(write_csv(tmp_path / "p.csv", [row]))
    assert "2 行目" in out and message in out
    assert Program.objects.count() == 0


@pytest.mark.django_db
def test_other_columns_refuse_bad_values(tmp_path: Path) -> None:
    headers = ["制度ID", "名称", "実施機関法人番号", "対象従業員数", "業種"]
    out = fails(write_csv(tmp_path / "p.csv", [["X", "名", "1234567890123", "少し", "Z"]], headers=headers))
    assert "実施機関法人番号: 法人番号のチェックデジット" in out
    assert "対象従業員数「少し」" in out and "業種「Z」" in out


@pytest.mark.django_db
def test_duplicate_ids_and_missing_headers_are_refused(tmp_path: Path) -> None:
    out = fails(write_csv(tmp_path / "p.csv", [ROW, ROW]))
    assert "3 行目（制度ID A-1）: 制度ID「A-1」がこのファイルの中で重複しています" in out
    out = fails(write_csv(tmp_path / "p.csv", [["x"]], headers=["名前"]))
    assert "見出し 制度ID、名称 がありません" in out


@pytest.mark.django_db
def test_caps_are_checked_before_any_row(tmp_path: Path, settings: Any) -> None:
    settings.PROGRAM_IMPORT_MAX_ROWS = 2
    out = fails(write_csv(tmp_path / "p.csv", [ROW, ROW, ROW]))
    assert "行数が多すぎます（3 行、上限 2 行）" in out
    settings.PROGRAM_IMPORT_MAX_BYTES = 10
    assert "ファイルが大きすぎます" in fails(write_csv(tmp_path / "p.csv", [ROW]))


@pytest.mark.django_db
def test_institutions_are_matched_by_corporate_number_then_name(tmp_path: Path) -> None:
    known = Organization.objects.create(slug="ssmi", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    numbered = Organization.objects.create(slug="jfc", name="日本政策金融公庫", kind=Organization.Kind.PARTNER)
    CorporateNumber.objects.create(organization=numbered, number="3010001034076")
    headers = ["制度ID", "名称", "実施機関", "実施機関法人番号"]
    rows = [["1", "専門家派遣", "みやぎ産業振興機構", ""], ["2", "融資", "日本公庫", "3010001034076"], ["3", "新制度", "新しい財団", ""]]
    out = run(write_csv(tmp_path / "p.csv", rows, headers=headers))
    assert "法人番号で照合した実施機関: 日本公庫" in out
    assert "名称で照合した実施機関: みやぎ産業振興機構" in out
    assert "未確認の機関として作成した実施機関: 新しい財団" in out
    assert Program.objects.get(catalog__external_id="1").organization == known
    assert Program.objects.get(catalog__external_id="2").organization == numbered
    created = Program.objects.get(catalog__external_id="3").organization
    assert created.verified_at is None and created.status == Organization.Status.UNKNOWN


@pytest.mark.django_db
def test_an_imported_program_shows_status_and_staleness(tmp_path: Path) -> None:
    run(write_csv(tmp_path / "p.csv", [ROW]))
    entry = CatalogEntry.objects.select_related("program", "source").get()
    jst = dt.timezone(dt.timedelta(hours=9))
    facts = entry_facts(entry, now=dt.datetime(2026, 6, 20, 12, tzinfo=jst))
    assert facts.status == Status.CLOSING_SOON and not facts.stale
    assert facts.deadline == dt.datetime(2026, 6, 30, 17, tzinfo=jst)
    closed = entry_facts(entry, now=dt.datetime(2026, 7, 1, 12, tzinfo=jst))
    assert closed.status == Status.CLOSED and closed.stale


@pytest.mark.django_db
def test_an_import_interrupted_after_a_saved_batch_leaves_the_database_as_before(tmp_path: Path) -> None:
    from madoguchi.catalog import importer

    rows = [[f"K{n}", f"制度{n}", "宮城県", "補助金", "", "", "", "", "", "", ""] for n in range(importer.BATCH + 10)]
    path = write_csv(tmp_path / "p.csv", rows)
    before = snapshot()

    def interrupt(done: int, total: int) -> None:
        # The first batch is in the database (inside the transaction) when Ctrl-C arrives.
        assert CatalogEntry.objects.count() == importer.BATCH
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        importer.import_programs(path, "テスト出典", progress=interrupt)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_progress_bar_goes_to_stderr_and_the_summary_to_stdout(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_programs", str(write_csv(tmp_path / "p.csv", [ROW])), source="s", stdout=out, stderr=err)
    assert "1/1 行 (100%" in err.getvalue() and "[#" in err.getvalue()
    assert "1 件追加" in out.getvalue() and "行/秒" not in out.getvalue()


@pytest.mark.django_db
def test_year_round_programs() -> None:
    run(EXAMPLE, source="宮城県オープンデータ")
    entry = CatalogEntry.objects.select_related("program", "source").get(external_id="ssmi-senmonka")
    assert entry.rounds.get().year_round
    assert entry_facts(entry).status == Status.YEAR_ROUND


@pytest.mark.django_db
def test_synthetic_rows_across_the_country_import_cleanly(tmp_path: Path) -> None:
    from madoguchi.catalog.synthetic import write_csv as write_synthetic

    out = run(write_synthetic(tmp_path / "s.csv", 300), source="bench")
    assert "300 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in out
    assert len({e.area_codes[:2] for e in CatalogEntry.objects.exclude(area_codes="")}) > 30  # prefectures


@pytest.mark.django_db
def test_excel_typed_cells_dates_and_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["制度ID", "名称", "受付開始", "受付締切", "上限額", "対象従業員数", "確認日"])
    sheet.append([101, "数値の制度", dt.datetime(2027, 4, 1), dt.datetime(2027, 6, 30, 17, 0), 5_000_000, 20.0,
                  dt.date(2026, 11, 1)])
    path = tmp_path / "typed.xlsx"
    book.save(path)
    assert "1 件追加" in run(path)
    entry = CatalogEntry.objects.select_related("program").get(external_id="101")
    assert entry.amount_max == 5_000_000 and entry.max_employees == 20
    assert entry.program.verified_at == dt.date(2026, 11, 1)
    round_ = entry.rounds.get()
    jst = dt.timezone(dt.timedelta(hours=9))
    assert round_.opens_at == dt.datetime(2027, 4, 1, tzinfo=jst)
    assert round_.closes_at == dt.datetime(2027, 6, 30, 17, tzinfo=jst)
