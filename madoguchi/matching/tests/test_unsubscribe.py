"""Alert mails carry the RFC 8058 one-click unsubscribe link too (lib/unsubscribe.py)."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from madoguchi.matching.models import Kind, Listing, SavedInterest
from madoguchi.matching.tests.conftest import make_listing
from madoguchi.platform.models import OutboundEmail

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _one_click_path(mail: OutboundEmail) -> str:
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(rf"<{re.escape(settings.SITE_URL)}(/unsubscribe/[^>]+/)>", mail.headers["List-Unsubscribe"])
    assert match, mail.headers
    assert settings.SITE_URL + match.group(1) in mail.body
    return match.group(1)


def test_one_click_on_an_interest_alert_deletes_the_interest(field_, django_capture_on_commit_callbacks):
    SavedInterest.objects.create(email="watcher@example.jp", kind=Kind.SEED, keywords="半導体 センサ")
    with django_capture_on_commit_callbacks(execute=True):
        make_listing(Kind.SEED, "MEMS振動センサ", "半導体微細加工による小型センサ。")
    path = _one_click_path(OutboundEmail.objects.get(to="watcher@example.jp"))

    response = Client(enforce_csrf_checks=True).post(path, ONE_CLICK)

    assert response.status_code == 200 and "半導体 センサ" in response.content.decode()
    assert not SavedInterest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        make_listing(Kind.SEED, "MEMS圧力センサ", "半導体の小型センサ。")
    assert OutboundEmail.objects.filter(to="watcher@example.jp").count() == 1


def test_one_click_on_a_candidate_alert_turns_the_listings_alerts_off(tech_set, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    Listing.objects.filter(pk=need.pk).update(contact_email="need@maker.example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        make_listing(Kind.SEED, "レンズの曇りを防ぐ超親水コーティング",
                     "車載カメラのレンズの曇りを防ぐ超親水性のコーティング技術。耐久性を確認済み。", tech_area="automotive")
    path = _one_click_path(OutboundEmail.objects.get(to="need@maker.example.jp"))

    assert Client(enforce_csrf_checks=True).post(path, ONE_CLICK).status_code == 200

    need.refresh_from_db()
    assert need.alerts is False
    assert Listing.objects.filter(pk=need.pk).exists()  # the listing itself stays published
