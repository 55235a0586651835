from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User

from madoguchi.directory.models import Facility, Location, Municipality, Organization, Program
from madoguchi.directory.tests.helpers import changeform_data, make_org, offer


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("sato", "sato@example.jp", password=None)


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def hosho(db) -> Organization:
    return make_org(
        "hosho", "宮城県信用保証協会", phone="022-225-6491", postal_code="980-0014",
        address="仙台市青葉区本町 2-16-12", plan_key="table2-10", source="表2 (10)",
    )


def _url(org: Organization) -> str:
    return f"/admin/directory/organization/{org.pk}/change/"


def _form(admin_client, org: Organization) -> dict:
    response = admin_client.get(_url(org))
    assert response.status_code == 200
    return changeform_data(response)


def test_change_form_is_in_japanese_and_separates_plan_from_current_facts(admin_client, hosho):
    html = admin_client.get(_url(hosho)).content.decode()
    assert "計画の記載（2005年12月時点）" in html
    assert "現在の情報（職員が記録。時点を必ず入力）" in html
    assert "電話番号" in html and "郵便番号" in html and "現況の時点" in html
    assert "保存" in html


def test_an_edit_records_who_and_what_changed(admin_client, staff, hosho):
    data = _form(admin_client, hosho)
    data["phone"] = "022-225-6499"
    response = admin_client.post(_url(hosho), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hosho.refresh_from_db()
    assert hosho.phone == "022-225-6499"
    record = hosho.history.first()
    assert record.history_user == staff
    assert record.history_type == "~"
    delta = record.diff_against(record.prev_record)
    assert delta.changed_fields == ["phone"]
    history = admin_client.get(_url(hosho).replace("/change/", "/history/")).content.decode()
    assert "変更履歴: 宮城県信用保証協会" in history
    assert "sato" in history
    assert "電話番号:" in history and "022-225-6491" in history and "022-225-6499" in history


def test_inline_edits_are_named_in_the_history_record(admin_client, hosho):
    data = _form(admin_client, hosho)
    data.update({
        "locations-TOTAL_FORMS": "1", "locations-0-label": "本所", "locations-0-address": "仙台市青葉区本町 2-16-12",
        "locations-0-phone": "022-225-6491", "locations-0-order": "0",
    })
    response = admin_client.post(_url(hosho), data)
    assert response.status_code == 302
    assert hosho.locations.count() == 1
    assert hosho.history.first().history_change_reason == "所在地: 追加 1件"


@pytest.mark.parametrize("field,value,message", [
    ("phone", "022-ABC", "電話番号の形式が正しくありません"),
    ("postal_code", "9800011", "郵便番号の形式が正しくありません"),
    ("postal_code", "980-00", "郵便番号の形式が正しくありません"),
    ("current_phone", "0222256491", "電話番号の形式が正しくありません"),
])
def test_malformed_numbers_are_refused_in_japanese_and_nothing_is_saved(admin_client, hosho, field, value, message):
    before = hosho.history.count()
    data = _form(admin_client, hosho)
    data.update({
        field: value, "name": "宮城県信用保証協会（変更）", "current_as_of": "2025-04-01",
        # A new office row in the same post must not be saved either.
        "locations-TOTAL_FORMS": "1", "locations-0-label": "本所", "locations-0-address": "仙台市青葉区本町",
        "locations-0-order": "0",
    })
    response = admin_client.post(_url(hosho), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    hosho.refresh_from_db()
    assert hosho.name == "宮城県信用保証協会"
    assert not Location.objects.exists()
    assert hosho.history.count() == before


def test_a_malformed_office_phone_keeps_the_organization_unchanged(admin_client, hosho):
    data = _form(admin_client, hosho)
    data.update({
        "name": "宮城県信用保証協会（変更）",
        "locations-TOTAL_FORMS": "1", "locations-0-label": "本所", "locations-0-address": "仙台市青葉区本町",
        "locations-0-phone": "022-225-649X", "locations-0-order": "0",
    })
    response = admin_client.post(_url(hosho), data)
    assert response.status_code == 200
    assert "電話番号の形式が正しくありません" in response.content.decode()
    hosho.refresh_from_db()
    assert hosho.name == "宮城県信用保証協会"
    assert not Location.objects.exists()


def test_full_width_numbers_are_accepted_and_stored_half_width(admin_client, hosho):
    data = _form(admin_client, hosho)
    data.update({"phone": "０２２－２２５－６４９１", "postal_code": "９８０－００１４"})
    assert admin_client.post(_url(hosho), data).status_code == 302
    hosho.refresh_from_db()
    assert (hosho.phone, hosho.postal_code) == ("022-225-6491", "980-0014")


# Today's facts and the curated profile each carry their own date; neither is saved without it.
@pytest.mark.parametrize(("entered", "date_field", "message", "unsaved"), [
    ({"current_phone": "022-225-0000", "status": "active"}, "current_as_of",
     "現在の情報を記録するときは、その時点（日付）も入力してください。", "current_phone"),
    ({"profile": "信用保証を行う公的機関。", "profile_source": "保証協会 職員"}, "profile_as_of",
     "概要を記録するときは、その時点（日付）も入力してください。", "profile"),
], ids=["current-facts", "profile"])
def test_dated_facts_without_their_date_are_refused(admin_client, hosho, entered, date_field, message, unsaved):
    data = _form(admin_client, hosho)
    data.update(entered)
    data.pop(date_field, None)
    response = admin_client.post(_url(hosho), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    hosho.refresh_from_db()
    assert getattr(hosho, unsaved) == ""


def test_current_facts_with_their_date_are_saved_beside_the_plans(admin_client, hosho, client):
    data = _form(admin_client, hosho)
    data.update({"current_phone": "022-225-0000", "current_as_of": "2025-04-01", "status": "active"})
    assert admin_client.post(_url(hosho), data).status_code == 302
    hosho.refresh_from_db()
    assert (hosho.phone, hosho.current_phone, hosho.current_as_of) == ("022-225-6491", "022-225-0000", dt.date(2025, 4, 1))
    html = client.get("/organizations/hosho/").content.decode()
    assert "現在の情報（2025年4月1日時点）" in html


def test_staff_write_a_profile_that_the_page_shows_as_the_editors(admin_client, hosho, client):
    data = _form(admin_client, hosho)
    data.update({"profile": "信用保証を行う公的機関。", "profile_source": "保証協会 職員", "profile_as_of": "2027-04-01"})
    assert admin_client.post(_url(hosho), data).status_code == 302
    html = client.get("/organizations/hosho/").content.decode()
    assert "概要（編集部による補足・2027-04 時点、計画には記述なし）" in html
    assert "信用保証を行う公的機関。" in html and "出典: 保証協会 職員" in html


def test_plan_provenance_is_read_only_for_rows_from_the_plan(admin_client, hosho):
    data = _form(admin_client, hosho)
    assert "source" not in data and "as_of" not in data
    data["source"] = "書き換え"
    assert admin_client.post(_url(hosho), data).status_code == 302
    hosho.refresh_from_db()
    assert hosho.source == "表2 (10)"


def test_program_current_note_needs_its_date(admin_client, db):
    org = make_org("core", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    program = Program.objects.create(slug="loan", name="設備資金貸付事業", organization=org)
    url = f"/admin/directory/program/{program.pk}/change/"
    data = changeform_data(admin_client.get(url))
    data["current_note"] = "受付終了"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "現況を記録するときは、その時点（日付）も入力してください。" in response.content.decode()
    data["current_as_of"] = "2025-04-01"
    assert admin_client.post(url, data).status_code == 302
    program.refresh_from_db()
    assert program.history.first().history_user.username == "sato"


def test_facility_current_note_needs_its_date(admin_client, db):
    facility = Facility.objects.create(slug="osl", name="とうほくOSL")
    url = f"/admin/directory/facility/{facility.pk}/change/"
    data = changeform_data(admin_client.get(url))
    data["current_note"] = "2020年に閉鎖"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "現況を記録するときは、その時点（日付）も入力してください。" in response.content.decode()
    facility.refresh_from_db()
    assert facility.current_note == ""


def test_function_inline_keeps_derived_marks(admin_client, functions, hosho):
    offer(hosho, functions["finance"], derived=True, basis="表2 (10) 信用補完支援")
    data = _form(admin_client, hosho)
    assert data["function_links-0-derived"] == "on"
    data.pop("function_links-0-derived")
    assert admin_client.post(_url(hosho), data).status_code == 302
    assert hosho.function_links.get().derived is False


def test_staff_can_open_every_directory_admin_page(admin_client, functions, hosho):
    from madoguchi.directory.models import Area, Municipality

    area = Area.objects.create(slug="sendai-hokubu", name="仙台北部地域")
    facility = Facility.objects.create(slug="osl", name="とうほくOSL")
    program = Program.objects.create(slug="loan", name="設備資金貸付事業", organization=hosho)
    municipality = Municipality.objects.create(code="044245", name="大衡村", kind=Municipality.Kind.VILLAGE)
    urls = ["/admin/directory/"]
    for model, obj in [("organization", hosho), ("program", program), ("facility", facility), ("area", area)]:
        urls += [f"/admin/directory/{model}/", f"/admin/directory/{model}/add/",
                 f"/admin/directory/{model}/{obj.pk}/change/", f"/admin/directory/{model}/{obj.pk}/history/"]
    urls += ["/admin/directory/municipality/", f"/admin/directory/municipality/{municipality.pk}/change/",
             "/admin/directory/supportfunction/", "/admin/directory/membership/add/"]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "madoguchi 管理" in response.content.decode(), url


def test_admin_forms_label_every_field_in_japanese(admin_client, functions, hosho):
    offer(hosho, functions["finance"])
    Location.objects.create(organization=hosho, label="本所", address="仙台市青葉区本町")
    program = Program.objects.create(slug="loan", name="設備資金貸付事業", organization=hosho)
    facility = Facility.objects.create(slug="osl", name="とうほくOSL")
    for url in (_url(hosho), f"/admin/directory/program/{program.pk}/change/",
                f"/admin/directory/facility/{facility.pk}/change/"):
        html = admin_client.get(url).content.decode()
        english = re.findall(r">\s*(Municipality|Order|Function|Slug|Plan key|Operator)\b", html)
        assert not english, (url, english)
    html = admin_client.get(_url(hosho)).content.decode()
    assert "市区町村" in html and "表示順" in html


def test_admin_lists_do_not_query_per_row(admin_client, db, django_assert_max_num_queries):
    from madoguchi.directory.models import Municipality

    aoba = Municipality.objects.create(code="041017", name="青葉区", kind=Municipality.Kind.WARD)
    for i in range(30):
        org = make_org(f"org-{i}", f"機関{i}", municipality=aoba)
        Program.objects.create(slug=f"p{i}", name=f"事業{i}", organization=org)
        Facility.objects.create(slug=f"f{i}", name=f"施設{i}", operator=org)
    for model in ("organization", "program", "facility"):
        with django_assert_max_num_queries(12):
            assert admin_client.get(f"/admin/directory/{model}/").status_code == 200


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("phone", "٠٢٢-٢٢٥-٦٤٩١", "電話番号は 0〜9 の数字（全角・半角）で入力してください。「٠」"),
    ("phone", "०२२-२२५-६४९१", "電話番号は 0〜9 の数字（全角・半角）で入力してください。「०」"),
    ("postal_code", "٩٨٠-٠٠١٤", "郵便番号は 0〜9 の数字（全角・半角）で入力してください"),
])
def test_other_scripts_digits_are_refused_with_a_message_naming_them(admin_client, hosho, field, typed, message):
    before = getattr(hosho, field)
    data = _form(admin_client, hosho)
    data[field] = typed
    response = admin_client.post(_url(hosho), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    hosho.refresh_from_db()
    assert getattr(hosho, field) == before


def test_a_municipality_code_is_stored_in_ascii_and_other_digits_are_refused(db):
    from django.core.exceptions import ValidationError

    town = Municipality(code="０４４２１", name="大和町", kind=Municipality.Kind.TOWN)
    town.full_clean()
    assert town.code == "04421"
    with pytest.raises(ValidationError) as info:
        Municipality(code="٠٤٤٢١", name="大和町", kind=Municipality.Kind.TOWN).full_clean()
    assert "団体コードは 0〜9 の数字（全角・半角）で入力してください" in info.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as info:
        Municipality(code="0442", name="大和町", kind=Municipality.Kind.TOWN).full_clean()
    assert "5桁または6桁" in info.value.message_dict["code"][0]
