"""/staff/: an institution's staff keep their own records current, without the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Client, Referral
from madoguchi.directory.models import Facility, Membership, Organization, Program
from madoguchi.events.models import Event
from madoguchi.matching.models import Listing

JST = dt.timezone(dt.timedelta(hours=9))


def _program(org: Organization, slug: str, name: str) -> Program:
    return Program.objects.create(organization=org, slug=slug, name=name, description="既存の説明")


def test_staff_edit_their_own_program(bob: User, org_b: Organization, client: HttpClient) -> None:
    program = _program(org_b, "b-yushi", "創業融資あっせん")
    client.force_login(bob)
    url = reverse("staff:program_edit", args=[program.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "創業融資あっせん（令和8年度）", "category": "finance",
                                  "description": "設備資金と運転資金の融資をあっせんします。"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.name == "創業融資あっせん（令和8年度）" and program.verified_at is not None
    assert program.history.first().history_user == bob


def test_another_institutions_program_is_not_found(bob: User, org_c: Organization, client: HttpClient) -> None:
    program = _program(org_c, "c-tenjikai", "展示会出展支援")
    client.force_login(bob)
    assert client.get(reverse("staff:program_edit", args=[program.slug])).status_code == 404
    assert client.post(reverse("staff:program_edit", args=[program.slug]), {"name": "乗っ取り", "category": "other"}).status_code == 404
    assert client.post(reverse("staff:program_retire", args=[program.slug])).status_code == 404
    program.refresh_from_db()
    assert program.name == "展示会出展支援" and program.retired_at is None


def test_read_only_members_see_but_may_not_change(dora: User, org_b: Organization, client: HttpClient) -> None:
    program = _program(org_b, "b-yushi", "創業融資あっせん")
    client.force_login(dora)
    html = client.get(reverse("staff:home")).content.decode()
    assert "創業融資あっせん" in html and "支援事業を登録する" not in html
    assert client.get(reverse("staff:program_edit", args=[program.slug])).status_code == 403
    assert client.get(reverse("staff:program_new")).status_code == 403


def test_a_new_program_belongs_to_the_staffs_institution_and_says_where_it_came_from(
    bob: User, org_b: Organization, client: HttpClient,
) -> None:
    client.force_login(bob)
    response = client.post(reverse("staff:program_new"), {"name": "事業承継相談", "category": "coordination"})
    assert response.status_code == 302
    program = Program.objects.get(name="事業承継相談")
    assert program.organization == org_b and program.source == "担当者による登録"
    assert program.as_of == program.verified_at


def test_a_bad_program_form_says_what_to_fix(bob: User, client: HttpClient) -> None:
    client.force_login(bob)
    response = client.post(reverse("staff:program_new"), {"name": "", "category": "finance",
                                                          "application_opens": "2026-12-10", "application_closes": "2026-12-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "事業の名称を入力してください。" in html
    assert not Program.objects.exists()


def test_the_workspace_lists_only_the_own_institutions_rows(bob: User, org_b: Organization, org_c: Organization,
                                                            client: HttpClient) -> None:
    _program(org_b, "b-yushi", "Bの融資")
    _program(org_c, "c-yushi", "Cの融資")
    Facility.objects.create(slug="b-lab", name="Bの試作室", operator=org_b)
    Facility.objects.create(slug="c-lab", name="Cの試作室", operator=org_c)
    start = dt.datetime(2027, 1, 20, 13, 0, tzinfo=JST)
    Event.objects.create(organization=org_b, title="Bのセミナー", starts_at=start, ends_at=start + dt.timedelta(hours=2))
    Event.objects.create(organization=org_c, title="Cのセミナー", starts_at=start, ends_at=start + dt.timedelta(hours=2))
    Listing.objects.create(kind="seed", title="Bのシーズ", owner_organization=org_b)
    Listing.objects.create(kind="seed", title="Cのシーズ", owner_organization=org_c)
    client.force_login(bob)
    html = client.get(reverse("staff:home")).content.decode()
    for mine in ("Bの融資", "Bの試作室", "Bのセミナー", "Bのシーズ"):
        assert mine in html
    for theirs in ("Cの融資", "Cの試作室", "Cのセミナー", "Cのシーズ"):
        assert theirs not in html


def test_a_retired_program_leaves_the_public_list(bob: User, org_b: Organization, client: HttpClient) -> None:
    program = _program(org_b, "b-yushi", "創業融資あっせん")
    client.force_login(bob)
    response = client.post(reverse("staff:program_retire", args=[program.slug]), follow=True)
    assert "「創業融資あっせん」の掲載を終了しました。" in response.content.decode()
    program.refresh_from_db()
    assert program.retired_at is not None
    assert "創業融資あっせん" not in client.get(reverse("directory:programs")).content.decode()
    detail = client.get(program.get_absolute_url()).content.decode()
    assert "実施機関が掲載を終了しました" in detail
    client.post(reverse("staff:program_retire", args=[program.slug]), {"undo": "1"})
    program.refresh_from_db()
    assert program.retired_at is None


def test_staff_cancel_their_event_and_registrants_are_told(bob: User, org_b: Organization, client: HttpClient,
                                                           mailoutbox: list) -> None:
    from madoguchi.platform.models import OutboundEmail

    start = dt.datetime(2027, 1, 20, 13, 0, tzinfo=JST)
    event = Event.objects.create(organization=org_b, title="Bのセミナー", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=2), status=Event.Status.PUBLISHED)
    event.registrations.create(name="山田", email="yamada@example.jp")
    client.force_login(bob)
    assert client.post(reverse("staff:event_cancel", args=[event.slug])).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert OutboundEmail.objects.filter(to="yamada@example.jp").exists()


def test_staff_create_an_event(bob: User, org_b: Organization, client: HttpClient) -> None:
    client.force_login(bob)
    response = client.post(reverse("staff:event_new"), {
        "title": "創業塾", "kind": "seminar", "status": "published",
        "starts_at": "2027-02-01T13:00", "ends_at": "2027-02-01T15:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Event.objects.get(title="創業塾").organization == org_b


def test_staff_retire_their_listing_but_not_anothers(bob: User, org_b: Organization, org_c: Organization,
                                                    client: HttpClient) -> None:
    mine = Listing.objects.create(kind="seed", title="Bのシーズ", owner_organization=org_b, status="published")
    theirs = Listing.objects.create(kind="seed", title="Cのシーズ", owner_organization=org_c, status="published")
    client.force_login(bob)
    assert client.post(reverse("staff:listing_retire", args=[mine.uuid])).status_code == 302
    assert client.post(reverse("staff:listing_retire", args=[theirs.uuid])).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("expired", "published")


def test_the_referrals_inbox_shows_the_due_date_before_it_passes(referral: Referral, bob: User,
                                                                 client: HttpClient, settings: Any) -> None:
    settings.REFERRAL_ANSWER_DAYS = 3
    # Sent on Friday 2026-12-04: three business days later is Wednesday 2026-12-09.
    Referral.objects.filter(pk=referral.pk).update(created=dt.datetime(2026, 12, 4, 10, 0, tzinfo=JST))

    def page_on(day: int) -> str:
        with time_machine.travel(dt.datetime(2026, 12, day, 9, 0, tzinfo=JST), tick=False):
            client.force_login(bob)  # sessions are short: log in on the day
            return client.get(reverse("staff:home")).content.decode()

    html = page_on(7)
    assert "2026-12-09" in html and "あと 2 営業日" in html
    assert "今日が期限" in page_on(9)
    assert "期限超過" in page_on(10)


def test_a_referral_the_consent_no_longer_covers_leaves_the_inbox(referral: Referral, bob: User, client: HttpClient) -> None:
    referral.case.withdraw_consent(by=None)
    client.force_login(bob)
    assert referral.case.short_code not in client.get(reverse("staff:home")).content.decode()


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("client", 403), ("prefecture", 403), ("bob", 200), ("dora", 200)])
def test_who_may_open_the_workspace(who: str, status: int, bob: User, dora: User, org_a: Organization,
                                    the_client: Client, client: HttpClient) -> None:
    assert the_client.user is not None
    users = {"bob": bob, "dora": dora, "client": the_client.user}
    if who == "prefecture":
        users[who] = User.objects.create_user("pref", password="x")
        prefecture = Organization.objects.create(slug="miyagi-pref", name="宮城県 経済商工観光部", kind="prefecture")
        Membership.objects.create(user=users[who], organization=prefecture, role=Membership.Role.PREFECTURE)
    if who in users:
        client.force_login(users[who])
    assert client.get(reverse("staff:home")).status_code == status


def test_the_header_links_the_coordinators_queues(cora: User, bob: User, client: HttpClient) -> None:
    client.force_login(cora)
    html = client.get(reverse("staff:home")).content.decode()
    assert f'href="{reverse("cases:inbox")}"' in html and f'href="{reverse("matching:moderation")}"' in html
    client.force_login(bob)
    html = client.get(reverse("staff:home")).content.decode()
    assert f'href="{reverse("cases:inbox")}"' not in html and f'href="{reverse("matching:moderation")}"' not in html
    assert f'href="{reverse("staff:home")}"' in html


def test_the_workspace_costs_the_same_queries_for_many_rows(bob: User, org_b: Organization, referral: Referral,
                                                            client: HttpClient) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("staff:home")).status_code == 200
        return len(captured)

    _program(org_b, "b-1", "事業1")
    few = queries()
    start = dt.datetime(2027, 1, 20, 13, 0, tzinfo=JST)
    for n in range(2, 12):
        _program(org_b, f"b-{n}", f"事業{n}")
        Facility.objects.create(slug=f"lab-{n}", name=f"施設{n}", operator=org_b)
        Event.objects.create(organization=org_b, title=f"セミナー{n}", starts_at=start, ends_at=start + dt.timedelta(hours=1))
        Listing.objects.create(kind="seed", title=f"シーズ{n}", owner_organization=org_b)
    assert queries() == few
