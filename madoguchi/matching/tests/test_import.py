"""CSV import: encodings, dry run, per-row errors with row numbers, idempotence by 外部キー."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from madoguchi.directory.models import Municipality
from madoguchi.matching.importers import import_csv
from madoguchi.matching.models import Listing

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"


@pytest.fixture
def refdata(field_, muni):
    Municipality.objects.create(code="044229", name="大和町", kind="town")


def seeds() -> bytes:
    return (EXAMPLES / "seeds_utf8.csv").read_bytes()


def test_dry_run_checks_everything_and_saves_nothing(refdata, orgs):
    report = import_csv(seeds(), owner=orgs["tohoku"], dry_run=True)
    assert report.ok and report.count("created") == 5
    assert "試行のため保存していません" in report.summary()
    assert Listing.objects.count() == 0


def test_import_then_import_again_changes_nothing(refdata, orgs):
    first = import_csv(seeds(), owner=orgs["tohoku"])
    assert first.count("created") == 5 and first.saved
    patent = Listing.objects.get(external_key="TU-P-001")
    assert patent.kind == "patent" and patent.patent_number == "特許第5123456号" and patent.status == "pending"
    assert [f.name for f in Listing.objects.get(external_key="TU-S-001").fields.order_by("order")] == ["自動車", "光"]
    assert Listing.objects.get(external_key="TU-S-003").visibility == "anonymous"
    history_before = Listing.history.count()
    second = import_csv(seeds(), owner=orgs["tohoku"])
    assert second.count("unchanged") == 5 and second.count("created") == 0
    assert "変更はありませんでした" in second.summary()
    assert Listing.objects.count() == 5 and Listing.history.count() == history_before


def test_a_changed_row_updates_the_same_listing(refdata, orgs):
    import_csv(seeds(), owner=orgs["tohoku"])
    changed = seeds().decode().replace("消費電力を従来比1/10に抑える", "消費電力を従来比1/20に抑える").encode()
    report = import_csv(changed, owner=orgs["tohoku"])
    assert report.count("updated") == 1 and report.count("unchanged") == 4
    assert "1/20" in Listing.objects.get(external_key="TU-S-002").description


def test_the_same_key_for_another_owner_is_another_listing(refdata, orgs):
    import_csv(seeds(), owner=orgs["tohoku"])
    import_csv(seeds(), owner=orgs["itc"])
    assert Listing.objects.count() == 10


def test_shift_jis_file_from_excel_is_read(refdata, orgs):
    report = import_csv((EXAMPLES / "suppliers_sjis.csv").read_bytes(), owner=orgs["core"], publish=True)
    assert report.encoding == "Shift_JIS" and report.count("created") == 3, report.rows
    s = Listing.objects.get(external_key="OH-002")
    assert s.processes == ["射出成形", "金型設計"] and s.certifications == ["ISO9001", "ISO14001"]
    assert s.municipality.name == "石巻市" and s.status == "published"


def test_utf8_with_bom_is_read(refdata, orgs):
    report = import_csv(b"\xef\xbb\xbf" + seeds(), owner=orgs["tohoku"], dry_run=True)
    assert report.encoding == "UTF-8" and report.ok


def test_errors_name_the_row_and_nothing_is_saved(refdata, orgs):
    bad = (
        "外部キー,種別,名称,特許番号,分野,所在地,掲載期限\n"
        "A-1,技術シーズ,よい行,,IT,,\n"
        "A-2,特許,番号のない特許,,,,\n"
        ",技術シーズ,キーのない行,,,,\n"
        "A-4,求人,取り込めない種別,,,,\n"
        "A-5,技術シーズ,分野違い,,宇宙,仙台駅前,2026/13/01\n"
        "A-1,技術シーズ,重複,,,,\n"
    ).encode()
    report = import_csv(bad, owner=orgs["tohoku"])
    errors = {r.row: r.errors for r in report.rows if r.action == "error"}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert errors[3] == ["特許の行には特許番号が必要です。"]
    assert errors[4] == ["外部キーが空です。"]
    assert "種別「求人」は取り込めません" in errors[5][0]
    assert len(errors[6]) == 3 and "分野「宇宙」" in errors[6][0] and "所在地「仙台駅前」" in errors[6][1]
    assert "2 行目と重複" in errors[7][0]
    assert "何も保存していません" in report.summary()
    assert Listing.objects.count() == 0


def test_missing_or_unknown_columns_are_refused(orgs):
    assert "必須の列がありません: 名称" in import_csv("外部キー,種別\nA,特許\n".encode(), owner=orgs["tohoku"]).summary()
    assert "知らない列があります: 価格" in import_csv("外部キー,種別,名称,価格\n".encode(), owner=orgs["tohoku"]).summary()


def test_undecodable_file_is_refused_with_a_message(orgs):
    report = import_csv(b"\xff\xfe\x00\x81\x00", owner=orgs["tohoku"])
    assert "文字コードを判別できません" in report.summary()


def test_command_prints_row_errors_and_fails(refdata, orgs, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("外部キー,種別,名称\nX,求人,だめ\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="エラー 1 件"):
        call_command("import_listings", str(f), owner="tohoku-u", stdout=out)
    assert "2 行目（外部キー X）: 種別「求人」は取り込めません" in out.getvalue()


def test_command_dry_run_and_real_run(refdata, orgs):
    out = StringIO()
    call_command("import_listings", str(EXAMPLES / "seeds_utf8.csv"), owner="tohoku-u", dry_run=True, stdout=out)
    assert "作成 5 件" in out.getvalue() and Listing.objects.count() == 0
    call_command("import_listings", str(EXAMPLES / "seeds_utf8.csv"), owner="tohoku-u", stdout=out)
    assert Listing.objects.count() == 5


def _rows(n: int, start: int = 0) -> str:
    return "".join(f"K-{i},技術シーズ,シーズ {i}\n" for i in range(start, start + n))


def test_a_file_over_the_row_limit_is_refused_before_any_row_is_checked(orgs, django_assert_max_num_queries):
    data = ("外部キー,種別,名称\n" + _rows(25_000)).encode()
    with django_assert_max_num_queries(0):  # not a lookup, not a savepoint: refused on the count alone
        report = import_csv(data, owner=orgs["tohoku"])
    assert report.rows == [] and not report.saved
    assert "データ行が 25000 行あります。20000 行までのファイルに分けて取り込んでください。" in report.summary()


def test_a_file_over_the_size_limit_is_refused_before_reading(orgs, tmp_path):
    from madoguchi.lib.importing import Limits

    report = import_csv(("外部キー,種別,名称\n" + _rows(100)).encode(), owner=orgs["tohoku"], limits=Limits(max_bytes=1000))
    assert report.rows == [] and "MB までに分けて取り込んでください" in report.summary()


def test_many_rows_are_saved_in_batches_and_a_second_import_changes_nothing(orgs, field_):
    from madoguchi.lib.importing import Limits

    data = ("外部キー,種別,名称,分野\n" + "".join(f"K-{i},技術シーズ,シーズ {i},IT;食;it\n" for i in range(2_500))).encode()
    limits = Limits(batch_size=1_000)
    assert import_csv(data, owner=orgs["tohoku"], limits=limits).count("created") == 2_500
    assert Listing.objects.filter(owner_organization=orgs["tohoku"]).count() == 2_500
    assert Listing.history.count() == 2_500  # one history row each, as a save would write
    assert sorted(f.code for f in Listing.objects.get(external_key="K-1999").fields.all()) == ["food", "it"]
    assert Listing.objects.get(external_key="K-7").terms  # the engine's terms, as save() derives them
    second = import_csv(data, owner=orgs["tohoku"], limits=limits)
    assert second.count("unchanged") == 2_500 and Listing.history.count() == 2_500
    changed = data.replace("K-2400,技術シーズ,シーズ 2400,IT;食;it".encode(), "K-2400,技術シーズ,新しい名称,IT".encode())
    third = import_csv(changed, owner=orgs["tohoku"], limits=limits)
    assert third.count("updated") == 1 and third.count("unchanged") == 2_499
    edited = Listing.objects.get(external_key="K-2400")
    assert edited.title == "新しい名称" and [f.code for f in edited.fields.all()] == ["it"]
    history = list(Listing.history.filter(external_key="K-2400").order_by("history_id"))
    assert [(h.history_type, h.title) for h in history] == [("+", "シーズ 2400"), ("~", "新しい名称")]
    assert history[-1].history_date == edited.updated and history[-1].instance.uuid == edited.uuid


def test_a_header_without_rows_says_so(orgs):
    report = import_csv("外部キー,種別,名称\n\n".encode(), owner=orgs["tohoku"])
    assert "データ行がありません" in report.summary() and "取り込み済み" not in report.summary()


def test_an_oversized_field_gets_a_message_on_its_row(orgs):
    data = ("外部キー,種別,名称,概要\n" + f"A,技術シーズ,長い概要,{'あ' * 131_073}\n" + "B,技術シーズ,ふつう,\n").encode()
    report = import_csv(data, owner=orgs["tohoku"])
    errors = {r.row: r.errors for r in report.rows if r.action == "error"}
    assert errors == {2: ["概要 が 131073 文字あります。1 つの欄は 10000 文字までにしてください。"]}
    assert Listing.objects.count() == 0


def test_an_unclosed_quote_ends_the_reading_with_a_message_not_a_traceback(orgs):
    data = ("外部キー,種別,名称,概要\n" + "A,技術シーズ,よい行,\n" + f'B,技術シーズ,閉じない,"{"x" * (1 << 20)}\n').encode()
    report = import_csv(data, owner=orgs["tohoku"])
    errors = {r.row: r.errors for r in report.rows if r.action == "error"}
    assert list(errors) == [3] and "閉じていない引用符" in errors[3][0]


def test_nul_bytes_get_a_message_on_their_row(orgs):
    data = "外部キー,種別,名称\nA,技術シーズ,よい\nB,技術シーズ,ぬ\x00る\n".encode()
    report = import_csv(data, owner=orgs["tohoku"])
    errors = {r.row: r.errors for r in report.rows if r.action == "error"}
    assert errors == {3: ["名称 に NUL 文字が含まれています。表計算ソフトで CSV として保存し直してください。"]}
    assert Listing.objects.count() == 0


def test_the_command_reads_the_file_itself(refdata, orgs, tmp_path):
    f = tmp_path / "sjis.csv"
    f.write_bytes((EXAMPLES / "suppliers_sjis.csv").read_bytes())
    out = StringIO()
    call_command("import_listings", str(f), owner="miyagi-ii", publish=True, stdout=out)
    assert "文字コード: Shift_JIS" in out.getvalue() and Listing.objects.count() == 3


def test_a_re_import_writes_every_kind_of_value_back(refdata, orgs):
    head = "外部キー,種別,名称,工程,所在地,掲載期限,公開範囲\n"
    import_csv((head + "S-1,受注可能な技術,射出成形,射出成形、金型設計,大和町,2027-03-31,一般公開\n").encode(), owner=orgs["core"])
    report = import_csv((head + "S-1,受注可能な技術,射出成形と組立,組立,044229,2028/01/31,匿名\n").encode(), owner=orgs["core"])
    assert report.count("updated") == 1, report.rows
    s = Listing.objects.get(external_key="S-1")
    assert (s.title, s.processes, s.municipality.name, s.expires_on.isoformat(), s.visibility) == (
        "射出成形と組立", ["組立"], "大和町", "2028-01-31", "anonymous")
    assert "組み立て" in s.terms and "金型" not in s.terms and s.updated > s.created  # the terms follow the new text
    assert import_csv((head + "S-1,受注可能な技術,射出成形と組立,組立,044229,2028/01/31,匿名\n").encode(),
                      owner=orgs["core"]).count("unchanged") == 1
