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
