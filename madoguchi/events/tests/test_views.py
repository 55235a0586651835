"""The public pages: list, detail with the registration form, the registration page, cancel."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from madoguchi.directory.models import Municipality, Organization, SupportFunction
from madoguchi.events.models import Event, Registration

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)


def make_event(org: Organization, title: str = "みやぎ創業セミナー", day: int = 20, **fields: object) -> Event:
    values: dict[str, object] = {
        "organization": org, "title": title, "kind": Event.Kind.SEMINAR, "capacity": 2, "slug": f"event-{day}",
        "starts_at": dt.datetime(2026, 5, day, 14, 0, tzinfo=TOKYO),
        "ends_at": dt.datetime(2026, 5, day, 16, 30, tzinfo=TOKYO),
        "venue": "AER 28階 大研修室", "address": "仙台市青葉区中央 1-3-1", "fee": "無料",
        "status": Event.Status.PUBLISHED,
    }
    values.update(fields)
    return Event.objects.create(**values)


FORM = {"name": "山田太郎", "organization_name": "山田製作所", "email": "taro@example.jp", "consent": "on"}


def test_list_shows_upcoming_published_events_soonest_first(client: Client, org: Organization) -> None:
    make_event(org, "後の商談会", day=25, kind=Event.Kind.BUSINESS_MEETING)
    make_event(org, "先のセミナー", day=10)
    make_event(org, "下書きの講座", day=12, status=Event.Status.DRAFT)
    make_event(org, "終わった交流会", day=1, starts_at=dt.datetime(2026, 4, 1, 18, 0, tzinfo=TOKYO),
               ends_at=dt.datetime(2026, 4, 1, 20, 0, tzinfo=TOKYO))

    html = client.get("/events/").content.decode()

    assert html.index("先のセミナー") < html.index("後の商談会")
    assert "下書きの講座" not in html
    assert "終わった交流会" not in html
    assert "2件のイベント" in html


def test_list_filters_by_kind_function_and_city(client: Client, org: Organization) -> None:
    sendai = Municipality.objects.create(code="04100", name="仙台市", kind=Municipality.Kind.DESIGNATED_CITY)
    aoba = Municipality.objects.create(code="04101", name="青葉区", kind=Municipality.Kind.WARD, parent=sendai)
    market = SupportFunction.objects.create(code="market", name="販路開拓支援", short_name="販路開拓", order=6)
    fair = make_event(org, "ビジネスマーケット", day=11, kind=Event.Kind.BUSINESS_MEETING, municipality=aoba)
    fair.functions.add(market)
    make_event(org, "創業セミナー", day=12)

    by_kind = client.get("/events/?kind=business_meeting").content.decode()
    by_function = client.get("/events/?function=market").content.decode()
    by_city = client.get("/events/?municipality=04100").content.decode()
    by_full_width_code = client.get("/events/?municipality=０４１００").content.decode()

    for html in (by_kind, by_function, by_city, by_full_width_code):
        assert "ビジネスマーケット" in html
        assert "創業セミナー" not in html


def test_list_says_which_filter_is_wrong(client: Client, org: Organization) -> None:
    response = client.get("/events/?kind=party")

    assert response.status_code == 200
    assert "検索条件に誤りがあるため" in response.content.decode()


def test_detail_shows_the_facts_and_the_form(client: Client, org: Organization) -> None:
    make_event(org)

    html = client.get("/events/event-20/").content.decode()

    for fact in ("みやぎ創業セミナー", "セミナー", "2026年5月20日", "14:00", "16:30", "AER 28階 大研修室",
                 "仙台市青葉区中央 1-3-1", "(財)みやぎ産業振興機構", "無料", "残り 2 席"):
        assert fact in html, fact
    assert 'name="consent"' in html and 'name="email"' in html
    assert "申し込む" in html


def test_detail_of_a_draft_is_404(client: Client, org: Organization) -> None:
    make_event(org, status=Event.Status.DRAFT)

    assert client.get("/events/event-20/").status_code == 404


def test_registering_shows_the_confirmed_status_with_a_cancel_button(client: Client, org: Organization) -> None:
    event = make_event(org)

    response = client.post("/events/event-20/register/", FORM, follow=True)

    registration = event.registrations.get()
    assert response.redirect_chain == [(f"/events/registrations/{registration.uuid}/", 302)]
    html = response.content.decode()
    assert "確定" in html and "お申し込みを受け付けました" in html
    assert f'action="/events/registrations/{registration.uuid}/cancel/"' in html
    assert registration.name == "山田太郎" and registration.organization_name == "山田製作所"


def test_third_registrant_sees_waitlist_position(client: Client, org: Organization) -> None:
    event = make_event(org, capacity=2)
    event.register(name="一", email="1@example.jp")
    event.register(name="二", email="2@example.jp")

    html = client.post("/events/event-20/register/", FORM, follow=True).content.decode()

    assert "キャンセル待ち 1 番目" in html


def test_full_event_offers_to_join_the_waiting_list(client: Client, org: Organization) -> None:
    event = make_event(org, capacity=1)
    event.register(name="一", email="1@example.jp")

    html = client.get("/events/event-20/").content.decode()

    assert "満席" in html and "キャンセル待ちで申し込む" in html


def test_cancelling_by_post_frees_the_seat_for_the_first_waiting(client: Client, org: Organization) -> None:
    event = make_event(org, capacity=1)
    mine = event.register(name="山田太郎", email="taro@example.jp").registration
    waiting = event.register(name="二", email="2@example.jp").registration

    response = client.post(f"/events/registrations/{mine.uuid}/cancel/", follow=True)

    assert "キャンセルしました" in response.content.decode()
    assert "キャンセル済み" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_register_rejects_get(client: Client, org: Organization) -> None:
    make_event(org)

    assert client.get("/events/event-20/register/").status_code == 405


def test_cancel_link_does_nothing_on_get(client: Client, org: Organization) -> None:
    mine = make_event(org).register(name="山田太郎", email="taro@example.jp").registration

    assert client.get(f"/events/registrations/{mine.uuid}/cancel/").status_code == 405
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CONFIRMED


def test_unknown_registration_is_404(client: Client, db: None) -> None:
    assert client.get("/events/registrations/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_consent_is_required(client: Client, org: Organization) -> None:
    event = make_event(org)

    response = client.post("/events/event-20/register/", {**FORM, "consent": ""})

    assert response.status_code == 400
    assert "個人情報の利用への同意が必要です" in response.content.decode()
    assert not event.registrations.exists()


def test_bad_email_is_refused_with_an_example(client: Client, org: Organization) -> None:
    make_event(org)

    response = client.post("/events/event-20/register/", {**FORM, "email": "taro@"})

    assert response.status_code == 400
    assert "メールアドレスの形式が正しくありません" in response.content.decode()


def test_same_browser_registering_twice_goes_back_to_its_registration(client: Client, org: Organization) -> None:
    event = make_event(org)
    client.post("/events/event-20/register/", FORM)

    response = client.post("/events/event-20/register/", FORM, follow=True)

    registration = event.registrations.get()
    assert response.redirect_chain[-1][0] == f"/events/registrations/{registration.uuid}/"
    assert "すでにお申し込みいただいています" in response.content.decode()


def test_someone_else_typing_a_registered_email_does_not_get_the_cancel_link(client: Client, org: Organization) -> None:
    event = make_event(org)
    registration = event.register(name="山田太郎", email="taro@example.jp").registration

    response = Client().post("/events/event-20/register/", FORM)

    html = response.content.decode()
    assert response.status_code == 200
    assert "お申し込み済みです" in html
    assert str(registration.uuid) not in html
    assert event.registrations.count() == 1


def test_closed_registration_shows_why_instead_of_the_form(client: Client, org: Organization) -> None:
    make_event(org, registration_closes=dt.datetime(2026, 4, 28, 17, 0, tzinfo=TOKYO))

    page = client.get("/events/event-20/").content.decode()
    posted = client.post("/events/event-20/register/", FORM)

    assert "2026年4月28日 17:00 に締め切りました" in page
    assert 'name="consent"' not in page
    assert posted.status_code == 409
    assert "締め切りました" in posted.content.decode()


def test_cancelled_event_says_so_and_takes_no_registrations(client: Client, org: Organization) -> None:
    event = make_event(org, status=Event.Status.CANCELLED)

    page = client.get("/events/event-20/").content.decode()
    posted = client.post("/events/event-20/register/", FORM)

    assert "このイベントは中止になりました" in page
    assert posted.status_code == 409
    assert not event.registrations.exists()


def test_register_requires_the_csrf_token(org: Organization) -> None:
    make_event(org)
    csrf_client = Client(enforce_csrf_checks=True)

    response = csrf_client.post("/events/event-20/register/", FORM)

    assert response.status_code == 403


def test_cancel_requires_the_csrf_token(org: Organization) -> None:
    mine = make_event(org).register(name="山田太郎", email="taro@example.jp").registration

    response = Client(enforce_csrf_checks=True).post(f"/events/registrations/{mine.uuid}/cancel/")

    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CONFIRMED


def test_list_takes_a_fixed_number_of_queries(client: Client, org: Organization, django_assert_max_num_queries) -> None:
    for day in range(2, 22):
        event = make_event(org, f"イベント{day}", day=day)
        event.register(name="一", email="1@example.jp")

    # session + count + page (organization joined, confirmed seats annotated)
    with django_assert_max_num_queries(4):
        response = client.get("/events/")

    assert "20件のイベント" in response.content.decode()


def test_htmx_filter_gets_only_the_results(client: Client, org: Organization) -> None:
    make_event(org, "ビジネスマーケット", day=11, kind=Event.Kind.BUSINESS_MEETING)

    response = client.get("/events/?kind=business_meeting", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "ビジネスマーケット" in html
    assert "<html" not in html and "<form" not in html


def test_a_full_width_phone_is_stored_in_ascii_and_other_scripts_digits_are_refused(
        client: Client, org: Organization) -> None:
    event = make_event(org)

    refused = client.post("/events/event-20/register/", {**FORM, "phone": "٠٢٢-٢٢٥-٦٦٣٦"})
    assert refused.status_code == 400
    assert "電話番号は 0〜9 の数字（全角・半角）で入力してください。「٠」" in refused.content.decode()
    assert not event.registrations.exists()

    assert client.post("/events/event-20/register/", {**FORM, "phone": "０２２－２２５－６６３６"}).status_code == 302
    assert event.registrations.get().phone == "022-225-6636"


def test_a_municipality_code_in_other_scripts_digits_gets_its_own_message(client: Client, org: Organization) -> None:
    Municipality.objects.create(code="04100", name="仙台市", kind=Municipality.Kind.DESIGNATED_CITY)

    html = client.get("/events/?municipality=٠٤١٠٠").content.decode()

    assert "団体コードは 0〜9 の数字（全角・半角）で入力してください。「٠」" in html
