"""The registry as Open Referral HSDS 3.0: mapping, stable ids, schema validity, files, API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from madoguchi.directory.models import Organization, Program
from madoguchi.interop import hsds
from madoguchi.interop.loader import LoadReport

EXAMPLE_CSV = Path(hsds.SCHEMA_DIR).parent / "examples" / "csv"
CORE = "miyagi-industrial-promotion-organization"


def validator(table: str) -> Draft202012Validator:
    # The schemas' $refs are bare file names ("phone.json"): map each name to its file.
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012))
        for path in hsds.SCHEMA_DIR.glob("*.json")
    )
    return Draft202012Validator(hsds.schema(table), registry=registry, format_checker=FormatChecker())


def terms_by_id() -> dict[str, dict[str, Any]]:
    return {term["id"]: term for term in hsds.taxonomy_terms()}


def test_core_institution_exports_with_its_programs_and_functions(plan: LoadReport) -> None:
    tables = hsds.export_tables()
    core = Organization.objects.get(slug=CORE)
    org = next(o for o in tables["organization"] if o["id"] == hsds.hsds_id("organization", CORE))

    assert org["name"] == "(財)みやぎ産業振興機構"
    assert org["alternate_name"] == core.name_en != ""
    services = [s for s in tables["service"] if s["organization_id"] == org["id"]]
    assert sorted(s["name"] for s in services) == sorted(core.programs.values_list("name", flat=True))
    assert len(services) > 10
    terms = terms_by_id()
    functions = {
        terms[a["taxonomy_term_id"]]["name"] for a in tables["attribute"]
        if a["link_id"] == org["id"] and a["link_type"] == "support_function"
    }
    assert functions == set(core.function_links.values_list("function__name", flat=True))
    assert len(functions) >= 6
    phones = [p for p in tables["phone"] if p.get("organization_id") == org["id"]]
    assert [p["number"] for p in phones] == [core.phone]
    source = next(m for m in tables["metadata"] if m["resource_id"] == org["id"] and m["last_action_type"] == "create")
    assert source["updated_by"].endswith(core.source) and source["last_action_date"] == "2005-12-01"
    # Every service of the core institution is offered at its office.
    office = next(loc for loc in tables["location"] if loc.get("organization_id") == org["id"])
    at_office = {sal["service_id"] for sal in tables["service_at_location"] if sal["location_id"] == office["id"]}
    assert at_office == {s["id"] for s in services}


def test_todays_facts_win_and_the_plans_wording_stays_in_metadata(plan: LoadReport) -> None:
    Organization.objects.filter(slug=CORE).update(
        current_name="公益財団法人みやぎ産業振興機構", current_as_of=dt.date(2026, 4, 1),
        current_note="2012年に公益財団法人へ移行。",
    )
    org = hsds.organization_record(hsds.organizations_for_hsds().get(slug=CORE))

    assert org["name"] == "公益財団法人みやぎ産業振興機構"
    assert "alternate_name" not in org  # the English name was of the plan's name
    assert "現況（2026-04-01 時点）: 2012年に公益財団法人へ移行。" in org["description"]
    renamed = next(m for m in org["metadata"] if m["field_name"] == "name")
    assert (renamed["previous_value"], renamed["replacement_value"], renamed["last_action_date"]) == (
        "(財)みやぎ産業振興機構", "公益財団法人みやぎ産業振興機構", "2026-04-01")


def test_two_exports_give_the_same_ids(plan: LoadReport, tmp_path: Path) -> None:
    call_command("export_hsds", "--output", str(tmp_path / "a"), stdout=io.StringIO())
    call_command("export_hsds", "--output", str(tmp_path / "b"), stdout=io.StringIO())

    for table in hsds.TABLES:
        name = hsds.table_file(table, ".json")
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    organizations = json.loads((tmp_path / "a" / "organizations.json").read_text(encoding="utf-8"))
    assert len(organizations) == Organization.objects.count()
    assert len({o["id"] for o in organizations}) == len(organizations)


def test_every_exported_object_validates_against_hsds_3(plan: LoadReport) -> None:
    checked = 0
    for table, record in hsds.export_records():
        errors = [f"{list(e.path)}: {e.message}" for e in validator(table).iter_errors(record)]
        assert errors == [], (table, record["id"], errors)
        checked += 1
    for table, rows in hsds.export_tables().items():
        for row in rows:
            assert list(validator(table).iter_errors(row)) == [], (table, row["id"])
    assert checked > Organization.objects.count() + Program.objects.count()


def test_csv_has_the_hsds_columns(plan: LoadReport, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("export_hsds", "--output", str(tmp_path), "--format", "csv", stdout=out)

    assert "organizations.csv: 74 件" in out.getvalue()  # the plan's 73 and the prefecture (added_bodies.csv)
    for table in hsds.TABLES:
        name = hsds.table_file(table, ".csv")
        expected = (EXAMPLE_CSV / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        with (tmp_path / name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == expected, name
    with (tmp_path / "services.csv").open(encoding="utf-8", newline="") as f:
        services = list(csv.DictReader(f))
    assert len(services) == Program.objects.count()
    assert {s["status"] for s in services} == {"active"}


def test_an_unwritable_output_is_refused_in_japanese(db: None, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    with pytest.raises(CommandError, match="出力先 .* を作成できません（途中にディレクトリではないファイルがあります）"):
        call_command("export_hsds", "--output", str(blocker / "out"), stdout=io.StringIO())


def test_api_lists_organizations_in_hsds_pages(plan: LoadReport, client: Client) -> None:
    first = client.get("/api/hsds/organizations?per_page=30").json()
    last = client.get("/api/hsds/organizations?per_page=30&page=3").json()

    assert {k: first[k] for k in ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")} == {
        "total_items": 74, "total_pages": 3, "page_number": 1, "size": 30, "first_page": True, "last_page": False,
        "empty": False,
    }
    assert (last["size"], last["last_page"], last["first_page"]) == (14, True, False)
    assert first["contents"][0]["name"] == "(財)みやぎ産業振興機構"
    ids = [o["id"] for page in (1, 2, 3) for o in client.get(f"/api/hsds/organizations?per_page=30&page={page}").json()["contents"]]
    assert len(set(ids)) == 74
    beyond = client.get("/api/hsds/organizations?per_page=30&page=4").json()
    assert (beyond["empty"], beyond["contents"]) == (True, [])


def test_api_detail_has_the_services_and_matches_the_export(plan: LoadReport, client: Client) -> None:
    org_id = hsds.hsds_id("organization", CORE)
    response = client.get(f"/api/hsds/organizations/{org_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "(財)みやぎ産業振興機構"
    assert len(body["services"]) == Program.objects.filter(organization__slug=CORE).count()
    assert list(validator("organization").iter_errors(body)) == []
    service = body["services"][0]
    assert client.get(f"/api/hsds/services/{service['id']}").json() == service
    services = client.get("/api/hsds/services?per_page=100").json()
    assert services["total_items"] == Program.objects.count()


@pytest.mark.parametrize("path", [
    "/api/hsds/organizations/00000000-0000-0000-0000-000000000000",
    "/api/hsds/organizations/not-a-uuid",
    "/api/hsds/services/00000000-0000-0000-0000-000000000000",
])
def test_an_unknown_id_is_404_in_the_error_shape(db: None, client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["status"] == 404 and error["code"] == "not_found"
    assert "見つかりませんでした" in error["message"]


def test_a_page_size_out_of_range_is_422_in_the_error_shape(db: None, client: Client) -> None:
    response = client.get("/api/hsds/services?per_page=500")

    assert response.status_code == 422
    assert response.json()["error"] == {
        "status": 422, "code": "invalid_parameter", "parameter": "per_page",
        "message": "per_page は 1 以上 100 以下の整数で指定してください。",
    }


def test_taxonomy_terms_name_the_eight_functions(plan: LoadReport, client: Client) -> None:
    body = client.get("/api/hsds/taxonomy_terms?per_page=100").json()

    functions = [t["name"] for t in body["contents"] if t["taxonomy"] == "支援機能（表4）"]
    assert functions[:2] == ["技術開発支援", "技術移転支援"] and len(functions) == 8
    assert client.get("/api/hsds/taxonomies").json()["total_items"] == 5


@pytest.mark.parametrize("path", ["/api/hsds/organizations", "/api/hsds/services"])
def test_a_bigger_page_costs_no_more_queries(plan: LoadReport, client: Client, path: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"{path}?per_page=5")
    with CaptureQueriesContext(connection) as big:
        client.get(f"{path}?per_page=60")

    assert len(big) == len(small)


def test_a_dissolved_institutions_programs_are_defunct(plan: LoadReport) -> None:
    program = Program.objects.filter(organization__slug=CORE).first()
    assert program is not None
    assert hsds.service_record(program)["status"] == "active"
    Organization.objects.filter(slug=CORE).update(status=Organization.Status.DISSOLVED)

    assert hsds.service_record(hsds.programs_for_hsds().get(pk=program.pk))["status"] == "defunct"


def test_a_body_the_plan_only_names_is_described_by_its_profile_with_the_editors_source(plan: LoadReport) -> None:
    tables = hsds.export_tables()
    institute = Organization.objects.get(name="水産加工研究所")
    assert institute.description == ""  # the plan only names it
    org_id = hsds.hsds_id("organization", institute.slug)
    org = next(o for o in tables["organization"] if o["id"] == org_id)

    assert org["description"] == institute.profile
    assert org["description"].startswith("県の水産加工の試験研究機関で")
    profile = next(m for m in tables["metadata"] if m["resource_id"] == org_id and m["field_name"] == "description")
    assert profile["updated_by"] == "madoguchi 編集（公開情報による概要）"
    assert profile["last_action_date"] == "2026-11-28"
    assert profile["replacement_value"] == institute.profile
    # A body the plan describes keeps the plan's words, with no profile record.
    core = next(o for o in tables["organization"] if o["id"] == hsds.hsds_id("organization", CORE))
    assert core["description"] == Organization.objects.get(slug=CORE).description
    assert not any(m["resource_id"] == core["id"] and m["field_name"] == "description" for m in tables["metadata"])
