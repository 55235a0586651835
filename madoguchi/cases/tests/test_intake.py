"""The public 相談申込 form: what is stored, what is refused (and then nothing is stored)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Activity, Case, Client
from madoguchi.directory.models import Organization
from madoguchi.platform.models import OutboundEmail


@pytest.fixture
def form_data(org_a: Organization, sendai: Any, stage: Any, function: Any) -> dict[str, Any]:
    return {
        "kind": "company", "name": "株式会社みやぎ食品", "corporate_number": "7000012050002",
        "email": "info@miyagi-foods.example.jp", "municipality": "041009", "stage": "startup",
        "functions": ["finance"], "need": "笹かまぼこの新商品を首都圏で売りたい。設備資金も相談したい。",
        "consent": "platform",
    }


def _nothing_stored() -> bool:
    return not (Case.objects.exists() or Client.objects.exists() or Activity.objects.exists()
                or OutboundEmail.objects.exists() or User.objects.filter(email="info@miyagi-foods.example.jp").exists())


def test_a_consultation_is_stored_with_client_account_and_confirmation_email(
    client: HttpClient, form_data: dict[str, Any], cora: User, org_a: Organization,
) -> None:
    response = client.post(reverse("cases:intake"), form_data)
    assert response.status_code == 302 and response["Location"] == reverse("cases:received")
    case = Case.objects.get()
    assert case.owner == org_a and case.status == Case.Status.NEW and case.consent == "platform"
    assert case.client.corporate_number == "7000012050002"
    assert list(case.functions.values_list("code", flat=True)) == ["finance"]
    assert case.client.user is not None and not case.client.user.has_usable_password()
    to_client = OutboundEmail.objects.get(to="info@miyagi-foods.example.jp")
    assert "受け付けました" in to_client.subject and reverse("cases:follow", args=["x"])[:-2] in to_client.body
    assert OutboundEmail.objects.filter(to=cora.email).exists()  # the coordinator hears of it
    page = client.get(response["Location"])
    assert case.short_code in page.content.decode()


def test_the_form_page_has_labels_for_every_field(client: HttpClient, org_a: Organization) -> None:
    html = client.get(reverse("cases:intake")).content.decode()
    for label in ("法人名・氏名", "法人番号", "所在地（市区町村）", "ご相談の内容", "情報共有への同意"):
        assert label in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"corporate_number": "7000012050003"}, "チェックデジット"),
        ({"consent": ""}, "同意がないと相談を受け付けられません"),
        ({"municipality": "999999"}, "指定された市区町村は登録されていません"),
        ({"consent": "named"}, "共有を認める機関を1つ以上選んでください"),
        ({"kind": "person"}, "個人のご相談では法人番号は入力しないでください"),
        ({"need": ""}, "ご相談の内容を入力してください"),
        ({"corporate_number": "٧٠٠٠٠١٢٠٥٠٠٠٢"}, "法人番号は 0〜9 の数字（全角・半角）で入力してください。「٧」"),
        ({"corporate_number": "T7000012050002"}, "法人番号（13桁）を入力してください"),
        ({"phone": "٠٢٢-٢٢٥-٦٦٣٦"}, "電話番号は 0〜9 の数字（全角・半角）で入力してください"),
        ({"municipality": "٠٤١٠٠٩"}, "団体コードは 0〜9 の数字（全角・半角）で入力してください"),
    ],
    ids=["bad-check-digit", "missing-consent", "unknown-municipality", "named-without-orgs", "person-with-number", "no-need",
         "arabic-indic-corporate-number", "invoice-number", "arabic-indic-phone", "arabic-indic-municipality"],
)
def test_bad_input_gets_a_specific_japanese_message_and_stores_nothing(
    client: HttpClient, form_data: dict[str, Any], change: dict[str, Any], message: str,
) -> None:
    response = client.post(reverse("cases:intake"), {**form_data, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'role="alert"' in html
    assert _nothing_stored()


def test_an_oversized_attachment_is_refused_and_nothing_is_stored(
    client: HttpClient, form_data: dict[str, Any], settings: Any,
) -> None:
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("plan.pdf", b"x" * 2048, content_type="application/pdf")
    response = client.post(reverse("cases:intake"), {**form_data, "attachment": upload})
    assert response.status_code == 400
    assert "添付ファイルが大きすぎます" in response.content.decode()
    assert _nothing_stored()


def test_an_attachment_within_the_limit_is_kept_on_the_timeline(
    client: HttpClient, form_data: dict[str, Any], alice: User,
) -> None:
    upload = SimpleUploadedFile("事業計画.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    client.post(reverse("cases:intake"), {**form_data, "attachment": upload})
    case = Case.objects.get()
    document = case.activities.get(kind=Activity.Kind.DOCUMENT)
    assert document.attachment_name == "事業計画.pdf"
    client.force_login(alice)
    download = client.get(reverse("cases:document", args=[case.code, document.uuid]))
    assert download.status_code == 200 and download.getvalue() == b"%PDF-1.4 plan"
    assert download["Content-Type"] == "application/octet-stream"


def test_named_consent_records_the_named_institutions(
    client: HttpClient, form_data: dict[str, Any], org_b: Organization,
) -> None:
    client.post(reverse("cases:intake"), {**form_data, "consent": "named", "named_organizations": [org_b.slug]})
    assert list(Case.objects.get().named_organizations.all()) == [org_b]


def test_the_prefecture_department_cannot_be_named_for_consent(
    client: HttpClient, form_data: dict[str, Any], org_b: Organization,
) -> None:
    prefecture = Organization.objects.create(slug="miyagi-pref", name="宮城県 経済商工観光部",
                                             kind=Organization.Kind.PREFECTURE)
    page = client.get(reverse("cases:intake")).content.decode()
    assert org_b.name in page and prefecture.name not in page
    response = client.post(reverse("cases:intake"),
                           {**form_data, "consent": "named", "named_organizations": [prefecture.slug]})
    assert "指定された機関「miyagi-pref」は登録されていません。" in response.content.decode()
    assert not Case.objects.exists()


def test_a_returning_client_keeps_one_account(client: HttpClient, form_data: dict[str, Any]) -> None:
    client.post(reverse("cases:intake"), form_data)
    client.post(reverse("cases:intake"), {**form_data, "need": "二度目の相談"})
    assert Case.objects.count() == 2 and Client.objects.count() == 1


def test_the_form_refuses_a_post_without_csrf_token(csrf_client: HttpClient, form_data: dict[str, Any]) -> None:
    response = csrf_client.post(reverse("cases:intake"), form_data)
    assert response.status_code == 403
    assert _nothing_stored()


def test_the_form_accepts_a_post_with_its_csrf_token(csrf_client: HttpClient, form_data: dict[str, Any]) -> None:
    csrf_client.get(reverse("cases:intake"))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(reverse("cases:intake"), {**form_data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Case.objects.count() == 1


def test_case_forms_refuse_a_post_without_csrf_token(csrf_client: HttpClient, case: Case, alice: User) -> None:
    csrf_client.force_login(alice)
    response = csrf_client.post(reverse("cases:note", args=[case.code]), {"text": "メモ"})
    assert response.status_code == 403
    assert not case.activities.filter(kind=Activity.Kind.NOTE).exists()


def test_coming_from_a_program_page_starts_the_form_from_it(client: HttpClient, org_b: Organization) -> None:
    from madoguchi.directory.models import Program

    Program.objects.create(organization=org_b, slug="sogyo-juku", name="創業塾")
    html = client.get(reverse("cases:intake") + "?organization=sendai-sangyo&program=sogyo-juku").content.decode()
    assert "「創業塾」（仙台市産業振興事業団）について相談したいです。" in html
    checked = [line for line in html.splitlines() if "checked" in line]
    assert any('value="named"' in line for line in checked) and '<option value="sendai-sangyo" selected>' in html


def test_the_error_summary_links_to_each_wrong_field(client: HttpClient, form_data: dict[str, Any]) -> None:
    html = client.post(reverse("cases:intake"), {**form_data, "name": "", "consent": ""}).content.decode()
    assert '<a href="#id_name">' in html and '<a href="#id_consent">' in html and 'id="id_consent"' in html


def test_full_width_identifiers_are_stored_in_ascii_so_lookups_find_them(
    client: HttpClient, form_data: dict[str, Any],
) -> None:
    response = client.post(reverse("cases:intake"), {
        **form_data, "corporate_number": "７０００－０１２０－５０００２", "phone": "０２２－２２５－６６３６",
        "municipality": "０４１００９",
    })
    assert response.status_code == 302
    assert Client.objects.filter(corporate_number="7000012050002", phone="022-225-6636").exists()
    municipality = Case.objects.get().municipality
    assert municipality is not None and municipality.code == "041009"


@pytest.mark.parametrize("choice", ["core_only", "named", "platform"])
def test_each_of_the_three_consent_choices_is_stored_as_chosen(
    client: HttpClient, form_data: dict[str, Any], org_b: Organization, org_c: Organization, choice: str,
) -> None:
    # The form sends named institutions whatever is chosen (a person may pick some, then change
    # their mind): only 「指定した機関」 stores them.
    client.post(reverse("cases:intake"), {**form_data, "consent": choice, "named_organizations": [org_b.slug, org_c.slug]})
    case = Case.objects.get()
    assert case.consent == choice
    named = set(case.named_organizations.values_list("slug", flat=True))
    assert named == ({"sendai-sangyo", "tohoku-bureau"} if choice == "named" else set())


def test_named_institutions_are_one_searchable_list_not_a_checkbox_each(
    client: HttpClient, org_b: Organization, org_c: Organization, form_data: dict[str, Any],
) -> None:
    html = client.get(reverse("cases:intake")).content.decode()
    assert '<select name="named_organizations"' in html and "multiple" in html and 'data-filter="named"' in html
    assert 'type="checkbox" name="named_organizations"' not in html
    assert html.count('type="radio" name="consent"') == 3


def test_coming_from_a_search_result_prefills_the_institution_and_the_question(
    client: HttpClient, org_b: Organization,
) -> None:
    html = client.get(reverse("cases:intake"), {"organization": org_b.slug, "q": "販路を広げたい"}).content.decode()
    assert f'<option value="{org_b.slug}" selected>' in html
    assert any('value="named"' in line and "checked" in line for line in html.splitlines())
    assert re.search(r'<textarea name="need"[^>]*>\s*販路を広げたい\s*</textarea>', html)
