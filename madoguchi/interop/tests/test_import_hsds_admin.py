"""The catalog admin upload takes HSDS feeds and saved jGrants responses beside program files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from madoguchi.catalog.models import CatalogEntry, Source
from madoguchi.interop import hsds

EXAMPLES = Path(hsds.SCHEMA_DIR).parent / "examples"


@pytest.fixture
def admin_client(db: Any) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.jp", "pw-12345-long"))
    return client


def upload(client: Client, name: str, content: bytes, fmt: str, dry_run: bool = False, source: str = "") -> str:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, content), "format": fmt, "source": source}
    if dry_run:
        data["dry_run"] = "on"
    response = client.post("/admin/catalog/source/import/", data)
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_offers_every_format(admin_client: Client) -> None:
    page = admin_client.get("/admin/catalog/source/import/").content.decode()
    assert 'value="csv"' in page and 'value="hsds"' in page and 'value="jgrants"' in page


def test_an_hsds_json_then_the_data_package_zip_through_the_admin(admin_client: Client) -> None:
    content = (EXAMPLES / "json" / "service_list.json").read_bytes()
    assert "1 件追加, 0 件更新, 0 件変更なし, 0 件エラー（試行のため保存していません）" in upload(
        admin_client, "service_list.json", content, "hsds", dry_run=True)
    assert CatalogEntry.objects.count() == 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in (EXAMPLES / "csv").iterdir():
            archive.write(file, file.name)
    page = upload(admin_client, "feed.zip", buffer.getvalue(), "hsds")
    assert "1 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in page
    assert CatalogEntry.objects.get().source.kind == Source.Kind.HSDS


def test_a_broken_hsds_feed_shows_the_fields_path(admin_client: Client) -> None:
    data = json.loads((EXAMPLES / "json" / "service_full.json").read_text(encoding="utf-8"))
    data["url"] = "example.com/counselling"
    page = upload(admin_client, "service.json", json.dumps(data).encode(), "hsds")
    assert "service.json.url: 「example.com/counselling」は URL ではありません" in page
    assert CatalogEntry.objects.count() == 0


def test_a_saved_jgrants_response_through_the_admin(admin_client: Client) -> None:
    body = {"metadata": {"type": "application/json", "resultset": {"count": 1}}, "result": [{
        "id": "a0W5h00000UaAAA", "name": "S-1", "title": "ものづくり補助金", "target_area_search": "宮城県",
        "subsidy_max_limit": 12500000, "acceptance_end_datetime": "2027-06-30T08:00:00.000Z"}]}
    page = upload(admin_client, "jgrants.json", json.dumps(body, ensure_ascii=False).encode(), "jgrants")
    assert "1 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in page
    entry = CatalogEntry.objects.select_related("source").get()
    assert (entry.area_codes, entry.amount_max, entry.source.attribution) == ("040002", 12_500_000, "Jグランツ（jGrants）からの出典")


def test_a_program_file_still_needs_its_source(admin_client: Client) -> None:
    page = upload(admin_client, "programs.csv", "制度ID,名称\nA,B\n".encode(), "csv")
    assert "制度ファイルには出典の名前が必要です。" in page
