"""The admin upload runs the same importer: dry run first, then the real import, per-row results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from madoguchi.catalog.models import CatalogEntry

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "programs.csv"


@pytest.fixture
def admin_client(db: Any) -> Client:
    user = User.objects.create_superuser("admin", "admin@example.jp", "pw-12345-long")
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes, dry_run: bool, name: str = "programs.csv") -> str:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, content), "source": "宮城県オープンデータ"}
    if dry_run:
        data["dry_run"] = "on"
    response = client.post("/admin/catalog/source/import/", data)
    assert response.status_code == 200
    return response.content.decode()


def test_dry_run_then_import_through_the_admin(admin_client: Client) -> None:
    page = admin_client.get("/admin/catalog/source/import/").content.decode()
    assert "制度ファイルの取り込み" in page and 'type="file"' in page
    content = EXAMPLE.read_bytes()
    page = upload(admin_client, content, dry_run=True)
    assert "4 件追加, 0 件更新, 0 件変更なし, 0 件エラー（試行のため保存していません）" in page
    assert CatalogEntry.objects.count() == 0
    page = upload(admin_client, content, dry_run=False)
    assert "4 件追加" in page and "miyagi-setsubi-2027" in page
    assert CatalogEntry.objects.count() == 4
    assert "4 件変更なし" in upload(admin_client, content, dry_run=False)


def test_row_errors_are_listed_with_their_rows(admin_client: Client) -> None:
    content = "制度ID,名称,上限額\nX1,名前,たくさん\n".encode("cp932")
    page = upload(admin_client, content, dry_run=False)
    assert "1 件エラー" in page and "金額「たくさん」を読み取れません" in page
    assert CatalogEntry.objects.count() == 0


def test_the_programs_admin_shows_the_catalog_facts(admin_client: Client) -> None:
    upload(admin_client, EXAMPLE.read_bytes(), dry_run=False)
    page = admin_client.get("/admin/directory/program/").content.decode()
    assert "要確認" in page
    entry = CatalogEntry.objects.get(external_id="sendai-sogyo-2027")
    page = admin_client.get(f"/admin/directory/program/{entry.program_id}/change/").content.decode()
    assert "制度の詳細" in page and "上限額（円）" in page


def test_the_admin_filters_stale_entries_and_marks_them_verified(admin_client: Client) -> None:
    import datetime as dt

    from django.utils import timezone

    from madoguchi.catalog.models import Source
    from madoguchi.directory.models import Organization, Program

    org = Organization.objects.create(slug="o", name="宮城県", kind=Organization.Kind.PARTNER)
    source = Source.objects.create(slug="csv", name="宮城県CSV")
    today = timezone.localdate()
    for slug, verified in (("old", today - dt.timedelta(days=200)), ("fresh", today)):
        program = Program.objects.create(slug=slug, organization=org, name=f"制度 {slug}", verified_at=verified)
        CatalogEntry.objects.create(program=program, source=source, external_id=slug)
    page = admin_client.get("/admin/catalog/catalogentry/?stale=1").content.decode()
    assert "制度 old" in page and "制度 fresh" not in page
    old = CatalogEntry.objects.get(external_id="old")
    response = admin_client.post("/admin/catalog/catalogentry/", {
        "action": "mark_verified", "_selected_action": [old.pk]}, follow=True)
    assert "1 件の確認日を今日にしました。" in response.content.decode()
    assert Program.objects.get(slug="old").verified_at == today
    assert "制度 old" not in admin_client.get("/admin/catalog/catalogentry/?stale=1").content.decode()
