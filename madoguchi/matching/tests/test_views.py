"""Pages: who sees what, who may change what, and the moderation step."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.matching.models import Feedback, Kind, Listing
from madoguchi.matching.tests.conftest import make_listing


def login(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_list_works_for_a_visitor_and_filters_by_kind(tech_set, order_set):
    body = login(None).get("/matching/?kind=supplier").content.decode()
    assert "精密切削加工とアルマイト処理の一貫対応" in body
    assert "ナノ構造による防曇" not in body


def test_list_filters_by_keyword_and_field(tech_set):
    body = login(None).get("/matching/?q=米ぬか").content.decode()
    assert "米ぬか由来の機能性食品素材" in body and "防曇" not in body
    body = login(None).get("/matching/?field=food").content.decode()
    assert "米ぬか由来" in body and "介護記録" not in body


def test_htmx_request_gets_only_the_rows(tech_set):
    r = login(None).get("/matching/?kind=seed", HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode() and "米ぬか" in r.content.decode()


def test_list_rejects_post():
    assert login(None).post("/matching/").status_code == 405


@pytest.mark.parametrize("who, status", [
    (None, 404), ("outsider", 404), ("vc", 404), ("maker", 200), ("readonly", 200), ("coordinator", 200)])
def test_pending_listing_is_seen_only_by_its_side_and_coordinators(orgs, users, who, status):
    listing = make_listing(Kind.NEED, "未公開のニーズ", owner_organization=orgs["maker"], status=Listing.Status.PENDING)
    assert login(users[who] if who else None).get(listing.get_absolute_url()).status_code == status


@pytest.mark.parametrize("who, status", [(None, 404), ("outsider", 404), ("vc", 200)])
def test_members_only_listing_needs_a_platform_member(orgs, users, who, status):
    listing = make_listing(Kind.NEED, "会員限定のニーズ", owner_organization=orgs["maker"],
                           visibility=Listing.Visibility.MEMBERS)
    assert login(users[who] if who else None).get(listing.get_absolute_url()).status_code == status
    listed = "会員限定のニーズ" in login(users[who] if who else None).get("/matching/").content.decode()
    assert listed is (status == 200)


def test_suggestions_with_reasons_are_shown_to_the_owner_only(tech_set, users):
    url = tech_set["need"].get_absolute_url()
    mine = login(users["maker"]).get(url).content.decode()
    assert "ナノ構造による防曇・撥水コーティング" in mine and "分野が一致（自動車）" in mine
    theirs = login(users["vc"]).get(url).content.decode()
    assert "分野が一致" not in theirs


@pytest.mark.parametrize("who, status", [("maker", 200), ("coordinator", 200), ("readonly", 403), ("vc", 403), ("outsider", 403)])
def test_edit_requires_write_access(tech_set, users, who, status):
    assert login(users[who]).get(f"/matching/l/{tech_set['need'].uuid}/edit/").status_code == status


def test_edit_sends_a_visitor_to_log_in(tech_set):
    r = login(None).get(f"/matching/l/{tech_set['need'].uuid}/edit/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_creating_a_listing_sends_it_to_moderation_then_the_coordinator_publishes(users, field_, orgs):
    c = login(users["univ"])
    r = c.post("/matching/new/", {"kind": "seed", "title": "光ファイバ温度センサ", "description": "高温環境で使える光ファイバ温度センサ。",
                                  "visibility": "public", "alerts": "on", "fields": [field_["photonics"].pk],
                                  "processes": "計測\n光学設計"})
    assert r.status_code == 302
    listing = Listing.objects.get(title="光ファイバ温度センサ")
    assert listing.status == Listing.Status.PENDING and listing.owner_organization == orgs["tohoku"]
    assert listing.processes == ["計測", "光学設計"]
    assert "光ファイバ温度センサ" not in login(None).get("/matching/").content.decode()
    assert login(users["univ"]).post(f"/matching/l/{listing.uuid}/moderate/", {"action": "publish"}).status_code == 403
    assert "光ファイバ温度センサ" in login(users["coordinator"]).get("/matching/moderation/").content.decode()
    login(users["coordinator"]).post(f"/matching/l/{listing.uuid}/moderate/", {"action": "publish"})
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    assert "光ファイバ温度センサ" in login(None).get("/matching/").content.decode()


def test_patent_without_number_is_refused_with_a_japanese_message(users):
    r = login(users["univ"]).post("/matching/new/", {"kind": "patent", "title": "番号のない特許", "visibility": "public"})
    assert r.status_code == 200
    assert "特許番号（出願番号）を入力してください" in r.content.decode()


def test_readonly_member_cannot_create(users):
    assert login(users["readonly"]).get("/matching/new/").status_code == 403


def test_moderation_queue_is_for_coordinators(users):
    assert login(users["maker"]).get("/matching/moderation/").status_code == 403


def test_feedback_form_records_the_reason_and_removes_the_pair(tech_set, users):
    need, seed = tech_set["need"], tech_set["seed"]
    r = login(users["maker"]).post(f"/matching/l/{need.uuid}/feedback/", {"candidate": seed.uuid, "reason": "field"})
    assert r.status_code == 302
    assert Feedback.objects.filter(listing=need, candidate=seed, reason="field").exists()
    assert not need.matches.filter(candidate=seed).exists()
    assert "ナノ構造による防曇・撥水コーティング" not in login(users["maker"]).get(need.get_absolute_url()).content.decode()


def test_feedback_rejects_get(tech_set, users):
    assert login(users["maker"]).get(f"/matching/l/{tech_set['need'].uuid}/feedback/").status_code == 405


def test_feedback_by_another_organization_is_forbidden(tech_set, users):
    r = login(users["vc"]).post(f"/matching/l/{tech_set['need'].uuid}/feedback/",
                                {"candidate": tech_set["seed"].uuid, "reason": "field"})
    assert r.status_code == 403


def test_renewal_extends_the_expiry(tech_set, users):
    import datetime as dt

    from django.utils import timezone

    need = tech_set["need"]
    Listing.objects.filter(pk=need.pk).update(expires_on=timezone.localdate() + dt.timedelta(days=3))
    login(users["maker"]).post(f"/matching/l/{need.uuid}/renew/")
    need.refresh_from_db()
    assert need.expires_on > timezone.localdate() + dt.timedelta(days=100)


def test_a_client_writes_a_listing_of_their_own(db):
    from django.contrib.auth.models import User

    from madoguchi.cases.models import Client as CaseClient

    alice = User.objects.create_user("alice", "alice@example.jp")
    client = CaseClient.objects.create(kind="company", name="株式会社アグリセンス", user=alice)
    bob = User.objects.create_user("bob", "bob@example.jp")
    CaseClient.objects.create(kind="company", name="他社", user=bob)
    r = login(alice).post("/matching/new/", {"kind": "funding", "title": "量産資金の調達", "visibility": "anonymous",
                                              "amount_min": 3000, "amount_max": 3000})
    assert r.status_code == 302
    listing = Listing.objects.get()
    assert listing.owner_client == client and listing.owner_organization is None
    assert login(alice).get(listing.get_absolute_url()).status_code == 200
    assert login(alice).get(f"/matching/l/{listing.uuid}/edit/").status_code == 200
    assert login(bob).get(listing.get_absolute_url()).status_code == 404
    listing.status = Listing.Status.PUBLISHED
    listing.save()
    assert "株式会社アグリセンス" not in login(bob).get(listing.get_absolute_url()).content.decode()


def test_list_page_query_count_does_not_grow_with_rows(orgs, users, field_, django_assert_max_num_queries):
    for i in range(15):
        make_listing(Kind.SEED, f"匿名のシーズ{i}", "説明", owner_organization=orgs["tohoku"], fields=[field_["it"]],
                     visibility=Listing.Visibility.ANONYMOUS if i % 2 else Listing.Visibility.PUBLIC)
    c = login(users["maker"])
    with django_assert_max_num_queries(12):
        assert c.get("/matching/").status_code == 200


def test_moderation_is_recorded_in_the_history_with_the_coordinator(orgs, users):
    listing = make_listing(Kind.NEED, "承認待ちのニーズ", owner_organization=orgs["maker"], status=Listing.Status.PENDING)
    login(users["coordinator"]).post(f"/matching/l/{listing.uuid}/moderate/", {"action": "publish"})
    last = listing.history.first()
    assert last.status == "published" and last.history_user == users["coordinator"]
