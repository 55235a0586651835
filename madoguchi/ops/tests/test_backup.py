"""`madoguchi backup` then `madoguchi restore` gives back exactly what was saved, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from madoguchi.directory.models import Organization


def _org(slug: str, name: str) -> Organization:
    return Organization.objects.create(slug=slug, name=name, kind=Organization.Kind.SUPPORT)


def _round_trip(tmp_path: Path) -> None:
    _org("tlo", "(株)東北テクノアーチ")
    _org("ssc", "(財)みやぎ産業振興機構")
    dump = tmp_path / "madoguchi.backup"
    call_command("backup", "--output", str(dump))
    assert dump.stat().st_size > 0 and not dump.with_name(dump.name + ".partial").exists()

    # After the backup: one renamed, one deleted, one added. The restore must undo all three.
    Organization.objects.filter(slug="tlo").update(name="別の名前")
    Organization.objects.filter(slug="ssc").delete()
    _org("new", "後から追加")
    call_command("restore", str(dump), "--noinput")

    assert dict(Organization.objects.values_list("slug", "name")) == {
        "tlo": "(株)東北テクノアーチ", "ssc": "(財)みやぎ産業振興機構",
    }
    _org("after", "復元後も書ける")  # the restored database takes writes (sequences, constraints intact)


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_with_the_online_backup_api(tmp_path: Path) -> None:
    _round_trip(tmp_path)
    assert (tmp_path / "madoguchi.backup").read_bytes()[:16] == b"SQLite format 3\x00"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_with_pg_dump_and_pg_restore(tmp_path: Path) -> None:
    _round_trip(tmp_path)
    assert (tmp_path / "madoguchi.backup").read_bytes()[:5] == b"PGDMP"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    _org("kept", "残る機関")
    bogus = tmp_path / "notes.txt"
    bogus.write_text("これはバックアップではありません", encoding="utf-8")
    with pytest.raises(CommandError, match="ではありません"):
        call_command("restore", str(bogus), "--noinput")
    with pytest.raises(CommandError, match="がありません"):
        call_command("restore", str(tmp_path / "missing.backup"), "--noinput")
    assert Organization.objects.filter(slug="kept").exists()
