"""Saved searches: double opt-in by email, at once from an account; the daily/weekly alert lists
only the new and changed programs that match, once a day; the Atom feed; one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from madoguchi.catalog.alerts import send_alerts
from madoguchi.catalog.models import CallRound, CatalogEntry, ProgramType, SavedSearch, Source
from madoguchi.catalog.tests.conftest import SITE
from madoguchi.directory.models import Organization, Program
from madoguchi.platform.mail import send_all
from madoguchi.platform.models import OutboundEmail

TOKYO = ZoneInfo("Asia/Tokyo")
DAY1 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=TOKYO)
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
# Open subsidies usable in 仙台市青葉区 (041017): its city's, its prefecture's and national ones count.
QUERY = "open=1&area=041017&type=補助金"


def _program(slug: str, *, type_: str = ProgramType.SUBSIDY, areas: str = "040002", open_: bool = True,
             name: str = "") -> Program:
    org, _ = Organization.objects.get_or_create(slug="miyagi", defaults={"name": "宮城県", "kind": Organization.Kind.PARTNER})
    source, _ = Source.objects.get_or_create(slug="csv", defaults={"name": "宮城県CSV"})
    program = Program.objects.create(slug=slug, organization=org, name=name or f"制度 {slug}")
    entry = CatalogEntry.objects.create(program=program, source=source, external_id=slug, type=type_, area_codes=areas,
                                        amount_max=5_000_000)
    now = dt.datetime.now(TOKYO)
    closes = now + dt.timedelta(days=60) if open_ else now - dt.timedelta(days=1)
    CallRound.objects.create(entry=entry, opens_at=now - dt.timedelta(days=90), closes_at=closes)
    return program


def _at(when: dt.datetime) -> Any:
    return time_machine.travel(when, tick=False)


def _confirmed(querystring: str = QUERY, frequency: str = "daily") -> SavedSearch:
    with _at(DAY1 - dt.timedelta(days=1)):
        return SavedSearch.objects.create(email="hanako@example.jp", querystring=querystring, frequency=frequency,
                                          confirmed_at=dt.datetime.now(TOKYO))


def _touch(program: Program, name: str) -> None:
    program.name = name
    program.save()  # an edit in the admin: the entry's updated_at moves


def _confirm_path(body: str) -> str:
    match = re.search(rf"{re.escape(SITE)}(/alerts/confirm/\S+/)", body)
    assert match, body
    return match.group(1)


def _form_token(page: Any) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_by_email_nothing_is_sent_until_the_link_is_confirmed(db: None, smtp_server: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/search/?q=設備投資&open=1")
    assert "この条件で新着をメールで受け取る" in page.content.decode()
    with _at(DAY1):
        response = client.post("/alerts/save/", {"querystring": "q=設備投資&open=1&page=2", "email": "Hanako@Example.jp",
                                                 "frequency": "daily", "csrfmiddlewaretoken": _form_token(page)})
    assert response.status_code == 200 and "hanako@example.jp にメールを送りました" in response.content.decode()
    saved = SavedSearch.objects.get()
    assert saved.querystring == "q=%E8%A8%AD%E5%82%99%E6%8A%95%E8%B3%87&open=1" and saved.confirmed_at is None
    send_all()
    (mail,) = smtp_server.messages
    assert "確認" in mail["Subject"] and "「設備投資」 受付中" in mail.get_content()

    with _at(DAY1 + dt.timedelta(hours=1)):
        _program("p1", name="設備投資の補助金")
        assert send_alerts() == 0  # not confirmed yet: nothing but the confirmation

    path = _confirm_path(mail.get_content())
    tampered = path[:-4] + "xyz/"
    with _at(DAY1 + dt.timedelta(hours=2)):
        assert Client().get(tampered).status_code == 400
        page = client.get(path)
        assert "配信を開始する" in page.content.decode()
        saved.refresh_from_db()
        assert saved.confirmed_at is None  # a mail scanner opening the link confirms nothing
        done = client.post(path, {"csrfmiddlewaretoken": _form_token(page)})
    assert "配信を開始しました" in done.content.decode()
    saved.refresh_from_db()
    assert saved.confirmed_at is not None
    with _at(DAY1 + dt.timedelta(days=8)):
        response = Client().get(path)
    assert response.status_code == 400 and "有効期限（7日）が切れています" in response.content.decode()


def test_an_account_saves_at_once_and_manages_its_searches(db: None) -> None:
    user = User.objects.create_user("taro", "taro@example.jp", "pw")
    other = User.objects.create_user("jiro", "jiro@example.jp", "pw")
    client = Client()
    client.force_login(user)
    response = client.post("/alerts/save/", {"querystring": QUERY, "frequency": "weekly"})
    assert response.status_code == 302 and response["Location"] == "/alerts/"
    saved = SavedSearch.objects.get()
    assert saved.user == user and saved.email == "taro@example.jp" and saved.confirmed_at is not None
    assert OutboundEmail.objects.count() == 0  # no opt-in mail for an account
    page = client.get("/alerts/").content.decode()
    assert "受付中・宮城県仙台市青葉区で使える・補助金" in page and saved.feed_token in page

    client.post(f"/alerts/{saved.uuid}/frequency/", {"frequency": "daily"})
    saved.refresh_from_db()
    assert saved.frequency == "daily"
    outsider = Client()
    outsider.force_login(other)
    assert outsider.post(f"/alerts/{saved.uuid}/delete/").status_code == 404
    assert Client().get("/alerts/").status_code == 302  # the manage page needs an account
    client.post(f"/alerts/{saved.uuid}/delete/")
    assert SavedSearch.objects.active().count() == 0


def test_a_bad_filter_in_the_form_is_refused_with_its_message(db: None) -> None:
    response = Client().post("/alerts/save/", {"querystring": "q=x&amount_min=たくさん", "email": "a@example.jp",
                                               "frequency": "daily"})
    assert response.status_code == 400 and "金額「たくさん」は読めません" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_the_alert_lists_only_new_and_changed_matches_and_a_second_run_sends_nothing(db: None, smtp_server: Any) -> None:
    with _at(DAY1 - dt.timedelta(days=5)):
        before = _program("before")  # matched already before the search was saved: not news
        changed = _program("changed")
    saved = _confirmed()
    with _at(DAY1 - dt.timedelta(hours=3)):
        _program("city", areas="041009")  # 仙台市: covers 青葉区
        _program("national", areas="")
        _program("elsewhere", areas="042021")  # 石巻市
        _program("loan", type_=ProgramType.LOAN)
        _program("ended", open_=False)
        _touch(changed, "制度 changed（第2回）")
    with _at(DAY1):
        assert send_alerts() == 1
        assert send_alerts() == 0  # the same day again: nothing
    send_all()
    (mail,) = smtp_server.messages
    body = mail.get_content()
    listed = set(re.findall(r"■ 制度 (\w+)", body))
    assert listed == {"city", "national", "changed"}, body
    assert "条件に合う新着・更新の制度 3 件" in mail["Subject"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{SITE}/search/?{QUERY}" in body  # the search as it was saved

    with _at(DAY1 + dt.timedelta(days=1)):
        assert send_alerts() == 0  # nothing changed since
        _touch(before, "制度 before（改訂）")
    with _at(DAY1 + dt.timedelta(days=1, hours=1)):
        assert send_alerts() == 1  # a new day, one change
    assert "■ 制度 before" in OutboundEmail.objects.latest("pk").body
    saved.refresh_from_db()
    assert saved.sends.count() == 2



def test_a_weekly_alert_waits_seven_days(db: None) -> None:
    _confirmed(frequency="weekly")
    with _at(DAY1 - dt.timedelta(hours=1)):
        _program("a")
    with _at(DAY1):
        assert send_alerts() == 1
    with _at(DAY1 + dt.timedelta(days=1)):
        _program("b")
    for day in range(1, 7):
        with _at(DAY1 + dt.timedelta(days=day, hours=1)):
            assert send_alerts() == 0
    with _at(DAY1 + dt.timedelta(days=7, hours=1)):
        assert send_alerts() == 1
    assert "■ 制度 b" in OutboundEmail.objects.latest("pk").body


def test_an_import_that_changes_a_round_counts_as_a_change(db: None, tmp_path: Any) -> None:
    from madoguchi.catalog.importer import import_programs

    csv = tmp_path / "programs.csv"
    header = "制度ID,名称,種別,対象地域コード,受付開始,受付締切\n"
    csv.write_text(header + "X1,設備の補助金,補助金,040002,2026-05-01,2026-07-31\n", encoding="utf-8")
    with _at(DAY1 - dt.timedelta(days=3)):
        import_programs(csv, "宮城県CSV")
    _confirmed()
    with _at(DAY1):
        assert send_alerts() == 0
    csv.write_text(header + "X1,設備の補助金,補助金,040002,2026-05-01,2026-08-31\n", encoding="utf-8")
    with _at(DAY1 + dt.timedelta(days=1)):
        import_programs(csv, "宮城県CSV")
    with _at(DAY1 + dt.timedelta(days=1, hours=1)):
        assert send_alerts() == 1
    assert "設備の補助金" in OutboundEmail.objects.get().body


def test_a_question_is_rerun_through_the_search(db: None) -> None:
    # On the real clock: the search's index lock (search/live.py) expires by the wall clock, and a
    # lock row left by another test's background build must not look held for months.
    now = dt.datetime.now(TOKYO)
    saved = SavedSearch.objects.create(email="hanako@example.jp", querystring="q=設備投資&open=1", frequency="daily",
                                       confirmed_at=now - dt.timedelta(days=1))
    _program("equip", name="設備投資の補助金")
    _program("hire", name="人材育成の助成")
    assert send_alerts() == 1
    body = OutboundEmail.objects.get().body
    assert "設備投資の補助金" in body and "人材育成の助成" not in body
    assert saved.sends.get().program_count == 1


def test_the_atom_feed_lists_the_matches_at_a_secret_address(db: None) -> None:
    saved = _confirmed()
    with _at(DAY1):
        _program("city", areas="041009")
        _program("loan", type_=ProgramType.LOAN)
        response = Client().get(f"/alerts/feed/{saved.feed_token}.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert "制度 city" in feed and "制度 loan" not in feed
    assert Client().get("/alerts/feed/guessed-token.atom").status_code == 404


def test_one_click_unsubscribe_stops_the_alerts(db: None) -> None:
    _confirmed()
    with _at(DAY1 - dt.timedelta(hours=1)):
        _program("first")
    with _at(DAY1):
        send_alerts()
    header = OutboundEmail.objects.get().headers["List-Unsubscribe"]
    match = re.fullmatch(rf"<{re.escape(SITE)}(/unsubscribe/[^>]+/)>", header)
    assert match, header
    path = match.group(1)
    response = Client(enforce_csrf_checks=True).post(path, ONE_CLICK)
    assert response.status_code == 200 and "を停止しました" in response.content.decode()
    with _at(DAY1 + dt.timedelta(days=1)):
        _program("second")
    with _at(DAY1 + dt.timedelta(days=1, hours=1)):
        assert send_alerts() == 0


def test_the_command_says_what_it_queued(db: None) -> None:
    import io

    _confirmed()
    with _at(DAY1 - dt.timedelta(hours=1)):
        _program("first")
    out = io.StringIO()
    with _at(DAY1):
        call_command("send_program_alerts", stdout=out)
    assert "新着のお知らせ 1 件、締切のお知らせ 0 件" in out.getvalue()


def test_prune_drops_old_sends_and_dead_addresses_but_keeps_live_ones(db: None) -> None:
    from madoguchi.catalog.alerts import prune

    live = _confirmed()
    with _at(DAY1 - dt.timedelta(days=90)):
        SavedSearch.objects.create(email="never@example.jp", querystring=QUERY)  # never confirmed
        gone = SavedSearch.objects.create(email="gone@example.jp", querystring=QUERY,
                                          confirmed_at=dt.datetime.now(TOKYO), unsubscribed_at=dt.datetime.now(TOKYO))
        gone.sends.create(day=dt.date(2026, 3, 1), program_count=1)
    with _at(DAY1):
        assert prune() == 3
    assert list(SavedSearch.objects.all()) == [live]
