from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from madoguchi.directory.models import Organization
from madoguchi.events.models import Event


@pytest.fixture
def admin_client_(db: None) -> Client:
    user = User.objects.create_superuser("admin", "admin@example.jp", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def event(db: None) -> Event:
    org = Organization.objects.create(slug="miyagi-ssc", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    start = timezone.now() + dt.timedelta(days=10)
    return Event.objects.create(organization=org, title="創業セミナー", capacity=1, status=Event.Status.PUBLISHED,
                                starts_at=start, ends_at=start + dt.timedelta(hours=2))


def test_staff_see_registrations_read_only_on_the_event(admin_client_: Client, event: Event) -> None:
    event.register(name="山田太郎", email="taro@example.jp")
    event.register(name="佐藤花子", email="hanako@example.jp")

    response = admin_client_.get(f"/admin/events/event/{event.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "山田太郎" in html and "佐藤花子" in html
    assert 'name="registrations-0-name"' not in html, "registrations are not editable here"


def test_event_admin_pages_open(admin_client_: Client, event: Event) -> None:
    assert admin_client_.get("/admin/events/event/").status_code == 200
    assert admin_client_.get("/admin/events/event/add/").status_code == 200
    assert admin_client_.get(f"/admin/events/event/{event.pk}/history/").status_code == 200


def test_institution_staff_manage_only_their_own_events(event: Event) -> None:
    from django.contrib.auth.models import Permission

    from madoguchi.directory.models import Membership

    other_org = Organization.objects.create(slug="sendai-icd", name="仙台市産業振興事業団", kind=Organization.Kind.SUPPORT)
    start = timezone.now() + dt.timedelta(days=3)
    theirs = Event.objects.create(organization=other_org, title="ものづくり交流会", status=Event.Status.PUBLISHED,
                                  starts_at=start, ends_at=start + dt.timedelta(hours=2))
    user = User.objects.create_user("staff", "staff@example.jp", "pw-for-tests-only", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="events", codename__endswith="_event"))
    Membership.objects.create(user=user, organization=event.organization, role=Membership.Role.STAFF)
    client = Client()
    client.force_login(user)

    listing = client.get("/admin/events/event/").content.decode()
    add_form = client.get("/admin/events/event/add/").content.decode()

    assert "創業セミナー" in listing and "ものづくり交流会" not in listing
    assert client.get(f"/admin/events/event/{theirs.pk}/change/").status_code == 302  # admin's "not found" redirect
    assert "(財)みやぎ産業振興機構" in add_form and "仙台市産業振興事業団" not in add_form


def test_staff_download_the_roll_call_as_csv(admin_client_: Client, event: Event) -> None:
    event.register(name="山田太郎", email="taro@example.jp", organization_name="山田製作所")
    event.register(name="佐藤花子", email="hanako@example.jp")
    event.register(name="鈴木一郎", email="ichiro@example.jp")
    gone = event.register(name="取消者", email="gone@example.jp").registration
    gone.cancel()

    response = admin_client_.post("/admin/events/event/", {"action": "download_registrations", "_selected_action": [event.pk]})

    assert response["Content-Type"].startswith("text/csv")
    rows = [line.split(",") for line in response.content.decode("utf-8-sig").splitlines()]
    assert rows[0][:5] == ["イベント", "開始日時", "状態", "順番", "氏名"]
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [
        ("確定", "", "山田太郎"), ("キャンセル待ち", "1", "佐藤花子"), ("キャンセル待ち", "2", "鈴木一郎"),
    ]
    assert rows[1][5] == "山田製作所"


def test_the_roll_call_never_runs_what_the_public_typed(admin_client_: Client, event: Event) -> None:
    """Names typed into the public form come out of the roll call as text, not as live formulas."""
    from madoguchi.lib.tests.formula_payloads import PAYLOADS, assert_csv_safe, csv_rows

    for n, payload in enumerate(PAYLOADS):
        response = Client().post(f"/events/{event.slug}/register/", {
            "name": payload, "organization_name": payload, "email": f"p{n}@example.jp", "consent": "on",
        })
        assert response.status_code == 302, response.content.decode()[:500]
    # The form trims leading blanks: "\t=1+2" is kept as "=1+2", and that is what the roll call must show.
    stored = [p.strip() for p in PAYLOADS]

    response = admin_client_.post("/admin/events/event/", {"action": "download_registrations", "_selected_action": [event.pk]})

    rows = csv_rows(response.content)
    assert_csv_safe(rows, stored)
    assert [row[4] for row in rows[1:]] == ["'" + p for p in stored]  # in the order registered, each behind '
    assert [row[5] for row in rows[1:]] == ["'" + p for p in stored]
    assert rows[1][0] == "創業セミナー"  # text that is no formula is written as it is
