"""madoguchi import-hsds: the official examples, the round trip with export-hsds, refusals, idempotence."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils.timezone import localtime

from madoguchi.catalog.models import CallRound, CatalogEntry, Source
from madoguchi.directory.models import (
    BusinessStage,
    Field,
    Organization,
    OrganizationFunction,
    Program,
    SupportFunction,
)
from madoguchi.interop import hsds

EXAMPLES = Path(hsds.SCHEMA_DIR).parent / "examples"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def run(path: Path, **options: Any) -> str:
    out = io.StringIO()
    call_command("import_hsds", str(path), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def fails(path: Path, **options: Any) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_hsds", str(path), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue() + str(error.value)


def counts() -> tuple[int, ...]:
    return (Program.objects.count(), CatalogEntry.objects.count(), CallRound.objects.count(),
            Organization.objects.count(), Source.objects.count())


def service_page(services: list[dict[str, Any]]) -> dict[str, Any]:
    return {"total_items": len(services), "total_pages": 1, "page_number": 1, "size": len(services),
            "first_page": True, "last_page": True, "empty": not services, "contents": services}


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def japanese_service(number: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{number:012d}", "name": f"設備投資補助金 第{number}号", "status": "active",
        "description": "中小企業の設備投資を補助します。", "url": f"https://example.jp/hojo/{number}",
        "organization": {"id": "00000000-0000-4000-8000-100000000000", "name": "宮城県産業振興課",
                         "description": "県の産業振興の窓口。"},
        "schedules": [{"id": f"00000000-0000-4000-8000-2000000000{number:02d}", "valid_from": "2027-04-01",
                       "valid_to": "2027-06-30"}],
        "service_areas": [{"id": f"00000000-0000-4000-8000-3000000000{number:02d}", "name": "宮城県"}],
        **fields,
    }


# ---------------------------------------------------------------- the official examples


@pytest.mark.django_db
@pytest.mark.parametrize("example", ["json", "csv", "csv/datapackage.json", "json/service_full.json",
                                     "json/organization_full.json", "json/service_list.json", "json/tabular.json",
                                     "json/service_at_location_full.json"])
def test_each_official_example_imports_its_service_and_organization(example: str) -> None:
    out = run(EXAMPLES / example)

    assert "1 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in out
    entry = CatalogEntry.objects.select_related("program__organization", "source").get()
    assert entry.external_id == SERVICE_ID and entry.source.kind == Source.Kind.HSDS
    program = entry.program
    assert program.name == "Community Counselling"
    assert program.url == "http://example.com/counselling"
    assert program.eligibility.startswith("This service is intended for all people aged 12")
    assert program.organization.name == "Example Organization Inc."
    assert program.organization.status == Organization.Status.UNKNOWN  # created unverified
    assert "未確認の機関として作成した実施機関: Example Organization Inc." in out


@pytest.mark.django_db
def test_the_data_package_as_a_zip_imports_like_its_folder(tmp_path: Path) -> None:
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in (EXAMPLES / "csv").iterdir():
            out.write(file, f"hsds/{file.name}")
    assert "1 件追加" in run(archive)
    assert Program.objects.get().name == "Community Counselling"


# ---------------------------------------------------------------- idempotence, update in place, dry run


@pytest.mark.django_db
def test_a_second_import_changes_nothing_and_a_changed_feed_updates_in_place(tmp_path: Path) -> None:
    feed = write(tmp_path / "services.json", service_page([japanese_service(1), japanese_service(2)]))
    first = run(feed)
    assert "2 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in first
    entry = CatalogEntry.objects.get(external_id=japanese_service(1)["id"])
    assert entry.area_codes == "040002"
    round_ = entry.rounds.get()
    assert (localtime(round_.opens_at).date(), localtime(round_.closes_at).date()) == (dt.date(2027, 4, 1), dt.date(2027, 6, 30))
    assert "0 件追加, 0 件更新, 2 件変更なし, 0 件エラー" in run(feed)
    before = counts()

    # Staff add the amount (the feed carries none) and a note of their own; the feed renames one.
    CatalogEntry.objects.filter(pk=entry.pk).update(amount_max=10_000_000, how_to_apply="電子申請で。")
    write(feed, service_page([japanese_service(1, name="設備投資補助金（拡充）"), japanese_service(2)]))
    assert "0 件追加, 1 件更新, 1 件変更なし, 0 件エラー" in run(feed)
    assert counts() == before
    entry.refresh_from_db()
    entry.program.refresh_from_db()
    assert entry.program.name == "設備投資補助金（拡充）"
    assert (entry.amount_max, entry.how_to_apply) == (10_000_000, "電子申請で。")


@pytest.mark.django_db
def test_a_dry_run_reports_and_saves_nothing(tmp_path: Path) -> None:
    feed = write(tmp_path / "services.json", [japanese_service(1)])
    out = run(feed, dry_run=True)
    assert "1 件追加, 0 件更新, 0 件変更なし, 0 件エラー（試行のため保存していません）" in out
    assert counts() == (0, 0, 0, 0, 0)


# ---------------------------------------------------------------- refusals


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "path", "words"), [
    (lambda s: s.update(url="www.example.jp/hojo"), "contents[1].url", "https:// などのスキーム"),
    (lambda s: s.update(email="info.example.jp"), "contents[1].email", "@ の前後"),
    (lambda s: s.pop("name"), "contents[1].name", "必須の項目がありません"),
    (lambda s: s.update(status="open"), "contents[1].status", "active、inactive"),
    (lambda s: s["schedules"][0].update(schedule_link="example.jp"), "contents[1].schedules[0].schedule_link", "URL ではありません"),
    (lambda s: s["organization"].update(website="example"), "contents[1].organization.website", "URL ではありません"),
])
def test_a_feed_that_breaks_the_schema_is_refused_with_the_fields_path(tmp_path: Path, change: Any, path: str, words: str) -> None:
    broken = japanese_service(2)
    change(broken)
    feed = write(tmp_path / "services.json", service_page([japanese_service(1), broken]))
    out = fails(feed)
    line = next(line for line in out.splitlines() if line.startswith(f"services.json: {path}:"))
    assert words in line
    assert "何も保存していません" in out
    assert counts() == (0, 0, 0, 0, 0)  # not even the good service, its organization or the source


@pytest.mark.django_db
def test_a_csv_package_with_a_scheme_less_url_names_the_file_row_and_column(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "csv", tmp_path / "csv")
    services = tmp_path / "csv" / "services.csv"
    services.write_text(services.read_text(encoding="utf-8").replace("http://example.com/counselling", "example.com/counselling"), encoding="utf-8")
    out = fails(tmp_path / "csv")
    assert "services.csv[2行目].url: 「example.com/counselling」は URL ではありません" in out
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_refused_with_where(tmp_path: Path) -> None:
    feed = tmp_path / "services.json"
    feed.write_text('{"contents": [', encoding="utf-8")
    assert "services.json は JSON として読めません（1 行" in fails(feed)


@pytest.mark.django_db
def test_a_service_naming_an_organization_the_feed_lacks_is_a_per_object_error(tmp_path: Path) -> None:
    orphan = japanese_service(2)
    del orphan["organization"]
    orphan["organization_id"] = "00000000-0000-4000-8000-999999999999"
    out = fails(write(tmp_path / "services.json", [japanese_service(1), orphan]))
    assert "2 件目（id 00000000-0000-4000-8000-000000000002）: services.json[1].organization_id" in out
    assert "1 件追加, 0 件更新, 0 件変更なし, 1 件エラー（エラーがあるため、何も保存していません）" in out
    assert counts() == (0, 0, 0, 0, 0)


# ---------------------------------------------------------------- the round trip


def registry() -> None:
    """A registry of every kind of fact the export writes for an institution and its programs."""
    function = SupportFunction.objects.create(code=SupportFunction.Code.values[0], name="経営相談", short_name="経営", order=1)
    stage = BusinessStage.objects.create(code="startup", name="創業期", order=1)
    field = Field.objects.create(code="it", name="情報", order=1)
    org = Organization.objects.create(
        slug="miyagi-sangyo", name="みやぎ産業振興機構", kind=Organization.Kind.CORE, sector=Organization.Sector.values[0],
        description="県の中核的支援機関。", email="info@example.jp", url="https://example.jp/",
        address="仙台市青葉区上杉1-14-2", postal_code="980-0011", phone="022-222-1310",
    )
    OrganizationFunction.objects.create(organization=org, function=function, derived=True, basis="表2の記述")
    org.stages.add(stage)
    org.fields.add(field)
    plain = Program.objects.create(
        slug="keiei-sodan", organization=org, name="経営相談", category=Program.Category.values[0],
        description="無料の経営相談。", eligibility="県内の中小企業", function_basis="表2", stage_basis="計画の記述",
    )
    plain.functions.add(function)
    plain.stages.add(stage)
    plain.fields.add(field)
    other = Organization.objects.create(slug="sendai-city", name="仙台市", kind=Organization.Kind.PARTNER,
                                        description="市の産業政策課。")
    Program.objects.create(slug="sendai-hojo", organization=other, name="仙台市の補助金", url="https://example.jp/sendai",
                           application_opens=dt.date(2027, 4, 1), application_closes=dt.date(2027, 5, 31))


def comparable(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Every table (services, schedules, areas, attributes, metadata, locations, …), by id."""
    return {table: sorted(rows, key=lambda r: r["id"]) for table, rows in tables.items()}


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_then_export_gives_the_same_objects(tmp_path: Path) -> None:
    registry()
    call_command("import_programs", str(write_csv(tmp_path / "today.csv")), source="宮城県オープンデータ",
                 stdout=io.StringIO(), stderr=io.StringIO())
    before = comparable(hsds.export_tables())
    assert len(before["service"]) == 3
    assert all(before[t] for t in ("schedule", "service_area", "attribute", "location", "phone", "metadata")), {t: len(r) for t, r in before.items()}
    call_command("export_hsds", output=str(tmp_path / "export"), stdout=io.StringIO())

    # An empty database: no program, institution or source (the vocabularies stay, as after migrate + load).
    CallRound.objects.all().delete()
    CatalogEntry.objects.all().delete()
    Source.objects.all().delete()
    Program.objects.all().delete()
    Organization.objects.all().delete()
    out = run(tmp_path / "export")
    assert "3 件追加, 0 件更新, 0 件変更なし, 0 件エラー" in out

    after = comparable(hsds.export_tables())
    assert after == before, _debug_diff(before, after)
    hojo = CatalogEntry.objects.get(program__name="設備投資補助金")
    assert (hojo.type, hojo.area_codes) == ("subsidy", "040002 041009")
    assert "0 件追加, 0 件更新, 3 件変更なし" in run(tmp_path / "export")


def write_csv(path: Path) -> Path:
    path.write_text(
        "制度ID,名称,実施機関,種別,対象地域コード,受付開始,受付締切,上限額,補助率,URL,確認日\n"
        "A-1,設備投資補助金,みやぎ産業振興機構,補助金,040002;041009,2027-04-01,2027-06-30 17:00,1000万円,2/3,"
        "https://example.jp/a1,2026-11-15\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.django_db
def test_re_importing_our_own_export_matches_the_registry_and_adds_a_copy_under_the_feed(tmp_path: Path) -> None:
    registry()
    call_command("export_hsds", output=str(tmp_path / "export"), stdout=io.StringIO())
    out = run(tmp_path / "export")
    assert "フィードの ID で照合した実施機関: みやぎ産業振興機構、仙台市" in out
    assert Organization.objects.count() == 2  # no duplicate institution
    org = Organization.objects.get(slug="miyagi-sangyo")
    assert org.description == "県の中核的支援機関。"  # a registry institution is never rewritten by a feed
    copy_ = CatalogEntry.objects.get(external_id=hsds.hsds_id("service", "keiei-sodan")).program
    assert list(copy_.functions.values_list("code", flat=True)) == [SupportFunction.Code.values[0]]
    assert copy_.organization == org


def test_japanese_service_fixture_is_valid_hsds() -> None:
    from madoguchi.interop.hsds_check import check

    assert check("service", copy.deepcopy(japanese_service(1)), "s") == []


def _debug_diff(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _debug_diff(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _debug_diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


@pytest.mark.django_db
def test_an_organization_is_matched_by_its_corporate_number_in_organization_identifiers(tmp_path: Path) -> None:
    from madoguchi.catalog.models import CorporateNumber

    registered = Organization.objects.create(slug="miyagi-pref", name="宮城県庁", kind=Organization.Kind.PARTNER)
    CorporateNumber.objects.create(organization=registered, number="8000020040002")
    service = japanese_service(1)
    service["organization"] = {
        "id": "00000000-0000-4000-8000-100000000000", "name": "宮城県", "description": "県",
        "organization_identifiers": [{"id": "00000000-0000-4000-8000-400000000000", "identifier_scheme": "JP-COR",
                                      "identifier_type": "法人番号", "identifier": "8000020040002"}],
    }
    out = run(write(tmp_path / "service.json", service))
    assert "法人番号で照合した実施機関: 宮城県" in out
    assert Program.objects.get().organization == registered
    assert Organization.objects.count() == 1
