"""Alerts: a new listing that suits someone's listing or saved interest is mailed through the outbox."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from madoguchi.cases.models import OutboundEmail
from madoguchi.matching import alerts
from madoguchi.matching.models import Kind, Listing, SavedInterest
from madoguchi.matching.tests.conftest import make_listing


def test_publishing_a_seed_alerts_the_owner_of_the_need_it_suits_once(tech_set, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    Listing.objects.filter(pk=need.pk).update(contact_email="need@maker.example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        seed = make_listing(Kind.SEED, "レンズの曇りを防ぐ超親水コーティング",
                            "車載カメラのレンズの曇りを防ぐ超親水性のコーティング技術。耐久性を確認済み。",
                            tech_area="automotive")
    mails = OutboundEmail.objects.filter(to="need@maker.example.jp")
    assert mails.count() == 1
    assert "レンズの曇りを防ぐ超親水コーティング" in mails.get().subject
    assert seed.get_absolute_url() in mails.get().body
    with django_capture_on_commit_callbacks(execute=True):
        seed.description += " 追記。"
        seed.save()
    assert mails.count() == 1


def test_owner_who_turned_alerts_off_gets_nothing(tech_set, django_capture_on_commit_callbacks):
    Listing.objects.filter(pk=tech_set["need"].pk).update(contact_email="need@maker.example.jp", alerts=False)
    with django_capture_on_commit_callbacks(execute=True):
        make_listing(Kind.SEED, "レンズの曇り止めコーティング", "車載カメラのレンズの曇りを防ぐ。")
    assert not OutboundEmail.objects.exists()


def test_a_pending_listing_alerts_nobody_until_published(tech_set, django_capture_on_commit_callbacks):
    Listing.objects.filter(pk=tech_set["need"].pk).update(contact_email="need@maker.example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        seed = make_listing(Kind.SEED, "レンズの曇り止めコーティング", "車載カメラのレンズの曇りを防ぐ。",
                            status=Listing.Status.PENDING)
    assert not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        seed.publish(by=None)
    assert OutboundEmail.objects.filter(to="need@maker.example.jp").count() == 1


def test_saved_interest_gets_matching_new_listings_only(field_, django_capture_on_commit_callbacks):
    SavedInterest.objects.create(email="watcher@example.jp", kind=Kind.SEED, keywords="半導体 センサ")
    with django_capture_on_commit_callbacks(execute=True):
        make_listing(Kind.SEED, "MEMS振動センサ", "半導体微細加工による小型センサ。")
        make_listing(Kind.SEED, "米ぬかの機能性素材", "食品素材。")
        make_listing(Kind.NEED, "センサを探している", "半導体センサ。")
    mails = OutboundEmail.objects.filter(to="watcher@example.jp")
    assert [m.subject for m in mails] == ["【madoguchi】新しい候補: MEMS振動センサ"]


def test_renewal_reminder_is_sent_once_before_expiry(tech_set):
    need = tech_set["need"]
    Listing.objects.filter(pk=need.pk).update(
        contact_email="need@maker.example.jp", expires_on=timezone.localdate() + dt.timedelta(days=7))
    assert alerts.send_renewal_reminders() == 1
    assert alerts.send_renewal_reminders() == 0
    assert OutboundEmail.objects.get().subject.startswith("【madoguchi】掲載期限のお知らせ")


def test_match_all_command_reports_progress_and_counts(tech_set):
    out = StringIO()
    call_command("match", all=True, stdout=out)
    assert "5 / 5 件" in out.getvalue() and "5 件の掲載の候補を更新しました" in out.getvalue()
    assert tech_set["need"].matches.first().candidate_id == tech_set["seed"].pk


def test_a_user_saves_an_interest_and_only_they_can_delete_it(users, field_):
    from django.test import Client

    c = Client()
    c.force_login(users["maker"])
    r = c.post("/matching/interests/", {"kind": "seed", "keywords": "防曇 コーティング", "email": "me@maker.example.jp"})
    assert r.status_code == 302
    interest = SavedInterest.objects.get()
    assert interest.user == users["maker"] and "防曇 コーティング" in c.get("/matching/interests/").content.decode()
    other = Client()
    other.force_login(users["vc"])
    assert "防曇" not in other.get("/matching/interests/").content.decode()
    assert other.post(f"/matching/interests/{interest.uuid}/delete/").status_code == 404
    assert c.post(f"/matching/interests/{interest.uuid}/delete/").status_code == 302
    assert not SavedInterest.objects.exists()


def test_on_a_large_platform_a_save_leaves_the_refresh_to_match_stale(tech_set, monkeypatch, django_capture_on_commit_callbacks):
    from madoguchi.matching import matches

    monkeypatch.setattr(matches, "SYNC_REFRESH_LIMIT", 0)
    need = tech_set["need"]
    Listing.objects.filter(pk=need.pk).update(contact_email="need@maker.example.jp")
    matches.refresh_all()  # steady state: everything already matched last night
    assert not matches.stale_listings().exists()
    with django_capture_on_commit_callbacks(execute=True):
        seed = make_listing(Kind.SEED, "レンズの曇りを防ぐ超親水コーティング", "車載カメラのレンズの曇りを防ぐ。")
    assert not seed.matches.exists() and not OutboundEmail.objects.exists()
    assert seed in matches.stale_listings()
    out = StringIO()
    call_command("match", stale=True, stdout=out)
    assert seed.matches.filter(candidate=need).exists()
    assert OutboundEmail.objects.filter(to="need@maker.example.jp").count() == 1
    assert seed not in matches.stale_listings()
