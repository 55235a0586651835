"""An edited published listing goes back to moderation: through the page form and the CSV re-import."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.cases.models import Case
from madoguchi.directory.models import Municipality
from madoguchi.matching import matches, services
from madoguchi.matching.forms import ListingForm
from madoguchi.matching.importers import import_csv
from madoguchi.matching.models import Introduction, Listing
from madoguchi.matching.moderation import content_of

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"
NOTICE = "変更内容はコーディネーターの審査後に公開されます。"


def login(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def form_data(listing: Listing, **changes: Any) -> dict[str, Any]:
    """What the edit page posts when the owner submits it with `changes` typed in."""
    form = ListingForm(instance=listing)
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return data


def edit(user: Any, listing: Listing, django_capture_on_commit_callbacks: Any, **changes: Any) -> str:
    """Post the edit form as `user`; returns the page the browser lands on."""
    with django_capture_on_commit_callbacks(execute=True):
        r = login(user).post(f"/matching/l/{listing.uuid}/edit/", form_data(listing, **changes), follow=True)
    assert r.status_code == 200
    listing.refresh_from_db()
    return r.content.decode()


def publish(coordinator: Any, listing: Listing, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        login(coordinator).post(f"/matching/l/{listing.uuid}/moderate/", {"action": "publish"})
    listing.refresh_from_db()


def test_an_edited_listing_leaves_the_lists_and_suggestions_until_approved_again(
        tech_set, users, django_capture_on_commit_callbacks):
    need, seed = tech_set["need"], tech_set["seed"]
    seed_page = seed.get_absolute_url()
    assert "車載カメラ用レンズの曇り止めコーティング" in login(users["univ"]).get(seed_page).content.decode()

    page = edit(users["maker"], need, django_capture_on_commit_callbacks,
                title="車載カメラ用レンズの曇り止め（未審査の文言）")
    assert NOTICE in page
    assert need.status == Listing.Status.PENDING

    visitor = login(None)
    assert "未審査の文言" not in visitor.get("/matching/").content.decode()
    assert visitor.get(need.get_absolute_url()).status_code == 404
    assert visitor.get(f"/api/matching/listings/{need.uuid}").status_code == 404
    assert all(x["uuid"] != str(need.uuid) for x in visitor.get("/api/matching/listings?kind=need").json()["items"])
    # the seed's owner no longer has it among the suggestions, nor may ask to be introduced to it
    assert "曇り止め" not in login(users["univ"]).get(seed_page).content.decode()
    r = login(users["univ"]).post(f"/matching/l/{seed.uuid}/introduce/", {"candidate": need.uuid})
    assert r.status_code == 404 and not Introduction.objects.exists()
    # the owner still sees it, with its state
    own = login(users["maker"]).get(need.get_absolute_url()).content.decode()
    assert "承認待ち" in own and "審査が終わるまで一覧と候補には表示されません" in own

    publish(users["coordinator"], need, django_capture_on_commit_callbacks)
    assert need.status == Listing.Status.PUBLISHED
    assert "未審査の文言" in visitor.get("/matching/").content.decode()
    assert "未審査の文言" in login(users["univ"]).get(seed_page).content.decode()


def test_the_queue_marks_an_edit_and_shows_what_changed(tech_set, users, field_, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    make_new = Listing.objects.create(kind="need", title="初めての掲載", status=Listing.Status.PENDING)
    edit(users["maker"], need, django_capture_on_commit_callbacks, title="曇らないレンズの技術を探しています",
         fields=[field_["automotive"].pk, field_["photonics"].pk])
    page = login(users["coordinator"]).get("/matching/moderation/").content.decode()
    row = page[page.index("曇らないレンズの技術を探しています"):]
    row = row[:row.index("</li>")]
    assert "承認済みの内容からの変更" in row
    assert "車載カメラ用レンズの曇り止めコーティング" in row  # the approved title beside the new one
    assert "自動車・光" in row and "概要" not in row  # only what changed
    first = page[page.index(make_new.title):]
    assert "公開後の変更" not in first[:first.index("</li>")]


def test_a_second_edit_is_compared_with_the_approved_version_not_the_first_edit(
        tech_set, users, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    edit(users["maker"], need, django_capture_on_commit_callbacks, title="一回目の変更")
    login(users["coordinator"]).post(f"/matching/l/{need.uuid}/moderate/", {"action": "reject"})
    need.refresh_from_db()
    assert need.status == Listing.Status.REJECTED
    page = edit(users["maker"], need, django_capture_on_commit_callbacks, title="車載カメラ用レンズの曇り止めコーティング")
    assert NOTICE in page and need.status == Listing.Status.PENDING
    queue = login(users["coordinator"]).get("/matching/moderation/").content.decode()
    assert "公開項目の変更はありません" in queue and "一回目の変更" not in queue


def test_a_save_without_changes_keeps_it_published(tech_set, users, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    Listing.objects.filter(pk=need.pk).update(description="一行目\n二行目")
    need.refresh_from_db()
    # a browser posts a textarea's line breaks as CRLF: the same text
    page = edit(users["maker"], need, django_capture_on_commit_callbacks, description="一行目\r\n二行目")
    assert "掲載を更新しました。" in page and NOTICE not in page
    assert need.status == Listing.Status.PUBLISHED
    assert "車載カメラ用レンズの曇り止めコーティング" in login(None).get("/matching/").content.decode()


def test_private_changes_keep_it_published(tech_set, users, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    later = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    page = edit(users["maker"], need, django_capture_on_commit_callbacks, contact_email="buyer@example.jp",
                expires_on=later, visibility="anonymous")
    assert "掲載を更新しました。" in page
    assert need.status == Listing.Status.PUBLISHED and need.contact_email == "buyer@example.jp"


def test_a_coordinators_edit_counts_as_reviewed(tech_set, users, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    edit(users["coordinator"], need, django_capture_on_commit_callbacks, title="コーディネーターが直した名称")
    assert need.status == Listing.Status.PUBLISHED
    assert "コーディネーターが直した名称" in login(None).get("/matching/").content.decode()


def test_an_edited_expired_listing_is_not_published_again_by_renewing_it(tech_set, users, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    Listing.objects.filter(pk=need.pk).update(status=Listing.Status.EXPIRED)
    need.refresh_from_db()
    edit(users["maker"], need, django_capture_on_commit_callbacks, description="審査を経ていない概要")
    login(users["maker"]).post(f"/matching/l/{need.uuid}/renew/")
    need.refresh_from_db()
    assert need.status == Listing.Status.PENDING
    assert login(None).get(need.get_absolute_url()).status_code == 404


def test_introductions_and_cases_already_made_are_not_affected(tech_set, users, django_capture_on_commit_callbacks):
    need, seed = tech_set["need"], tech_set["seed"]
    matches.refresh(need)
    intro = services.request_introduction(need, seed, by=users["maker"])
    services.approve(intro, by=users["coordinator"])
    services.consent(intro, by=users["univ"])
    intro.refresh_from_db()
    assert intro.status == Introduction.Status.CONSENTED
    edit(users["univ"], seed, django_capture_on_commit_callbacks, title="防曇コーティング（改訂版）")
    assert seed.status == Listing.Status.PENDING
    intro.refresh_from_db()
    assert intro.status == Introduction.Status.CONSENTED and Case.objects.filter(code=intro.case_ref).exists()
    assert login(users["maker"]).get(f"/matching/i/{intro.uuid}/").status_code == 200


def _published_import(orgs: Any) -> None:
    Municipality.objects.create(code="044229", name="大和町", kind="town")
    assert import_csv((EXAMPLES / "seeds_utf8.csv").read_bytes(), owner=orgs["tohoku"], publish=True).saved


def test_an_unchanged_reimport_keeps_the_listings_published(field_, muni, orgs):
    _published_import(orgs)
    report = import_csv((EXAMPLES / "seeds_utf8.csv").read_bytes(), owner=orgs["tohoku"])
    assert report.count("unchanged") == 5
    assert set(Listing.objects.values_list("status", flat=True)) == {Listing.Status.PUBLISHED}


def test_a_reimport_with_a_changed_description_sends_that_listing_back(field_, muni, orgs, users):
    _published_import(orgs)
    changed = (EXAMPLES / "seeds_utf8.csv").read_text("utf-8-sig").replace("消費電力を従来比1/10に抑える", "消費電力を従来比1/20に抑える")
    report = import_csv(changed.encode(), owner=orgs["tohoku"])
    assert report.count("updated") == 1
    assert "公開中の掲載 1 件は審査待ちに戻しました" in report.summary()
    listing = Listing.objects.get(external_key="TU-S-002")
    assert listing.status == Listing.Status.PENDING
    assert Listing.objects.filter(status=Listing.Status.PUBLISHED).count() == 4
    assert "1/20" not in login(None).get("/matching/").content.decode()
    queue = login(users["coordinator"]).get("/matching/moderation/").content.decode()
    assert "公開後の変更" in queue and "1/10" in queue and "1/20" in queue


def test_a_coordinators_reimport_with_publish_keeps_it_published(field_, muni, orgs):
    _published_import(orgs)
    changed = (EXAMPLES / "seeds_utf8.csv").read_text("utf-8-sig").replace("消費電力を従来比1/10に抑える", "消費電力を従来比1/20に抑える")
    report = import_csv(changed.encode(), owner=orgs["tohoku"], publish=True)
    assert report.count("updated") == 1 and "審査待ち" not in report.summary()
    assert Listing.objects.get(external_key="TU-S-002").status == Listing.Status.PUBLISHED


def test_on_a_large_platform_the_edit_still_leaves_the_suggestions_at_once(
        tech_set, users, monkeypatch, django_capture_on_commit_callbacks):
    # above the limit a save leaves refreshing to `match --stale`, which skips listings that are not live
    monkeypatch.setattr(matches, "SYNC_REFRESH_LIMIT", 0)
    need, seed = tech_set["need"], tech_set["seed"]
    matches.refresh(seed)
    assert seed.matches.filter(candidate=need).exists()
    matches.refresh(tech_set["other_seed"])  # another seed, which the need does not suit
    edit(users["maker"], need, django_capture_on_commit_callbacks, title="曇り止め（未審査）")
    # `match --stale` fills the gap left in the seed's suggestions, and only there
    stale = set(matches.stale_listings())
    assert seed in stale and tech_set["other_seed"] not in stale
    # even a coordinator, who sees listings waiting for review, is no longer offered it as a candidate
    assert "曇り止め" not in login(users["coordinator"]).get(seed.get_absolute_url()).content.decode()


def test_approving_does_not_publish_an_edit_made_after_the_coordinator_looked(
        tech_set, users, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    edit(users["maker"], need, django_capture_on_commit_callbacks, title="一回目の変更（確認済み）")
    queue = login(users["coordinator"]).get("/matching/moderation/").content.decode()
    seen = re.search(r'name="seen" value="([^"]+)"', queue).group(1)
    edit(users["maker"], need, django_capture_on_commit_callbacks, title="二回目の変更（未確認）")
    r = login(users["coordinator"]).post(f"/matching/l/{need.uuid}/moderate/", {"action": "publish", "seen": seen},
                                         follow=True)
    assert "表示したあとに変更されました" in r.content.decode()
    need.refresh_from_db()
    assert need.status == Listing.Status.PENDING
    page = login(users["coordinator"]).get(need.get_absolute_url()).content.decode()
    seen = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    login(users["coordinator"]).post(f"/matching/l/{need.uuid}/moderate/", {"action": "publish", "seen": seen})
    need.refresh_from_db()
    assert need.status == Listing.Status.PUBLISHED and need.title == "二回目の変更（未確認）"


def test_queue_query_count_does_not_grow_with_edits(orgs, users, field_, muni):
    def queue_with_edits(n: int) -> int:
        for i in range(n):
            listing = Listing.objects.create(kind="seed", title=f"シーズ{i}", owner_organization=orgs["tohoku"],
                                             status=Listing.Status.PENDING, municipality=muni["aoba"])
            listing.fields.set([field_["it"]])
            approved = content_of(listing) | {"title": f"旧シーズ{i}", "municipality": muni["izumi"].pk, "fields": ["food"]}
            Listing.objects.filter(pk=listing.pk).update(approved_content=approved)
        c = login(users["coordinator"])
        with CaptureQueriesContext(connection) as ctx:
            body = c.get("/matching/moderation/").content.decode()
        assert f"旧シーズ{n - 1}" in body and "泉区" in body and "青葉区" in body and "食" in body
        return len(ctx.captured_queries)

    assert queue_with_edits(2) == queue_with_edits(10)
