"""Anonymous listings never reveal their owner before both sides consent: pages and API alike."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.directory.models import Organization
from madoguchi.matching import matches, services
from madoguchi.matching.models import Introduction, Kind, Listing
from madoguchi.matching.tests.conftest import make_listing

SECRET = "株式会社ひみつ技研"
PATENT = "特許第7000001号"


@pytest.fixture
def secret_org(db) -> Organization:
    return Organization.objects.create(slug="himitsu", name=SECRET, kind=Organization.Kind.PARTNER)


@pytest.fixture
def anon(secret_org, tech_set, users) -> Listing:
    from django.contrib.auth.models import User

    from madoguchi.directory.models import Membership

    owner = User.objects.create_user("himitsu", "h@example.jp")
    Membership.objects.create(user=owner, organization=secret_org, role=Membership.Role.STAFF)
    listing = make_listing(
        Kind.PATENT, "車載カメラの防曇フィルム", "レンズの曇りを防ぐフィルムの特許。車載カメラ向け。",
        owner_organization=secret_org, visibility=Listing.Visibility.ANONYMOUS, patent_number=PATENT,
        contact_email="secret@himitsu.example.jp")
    matches.refresh(tech_set["need"])
    matches.refresh(listing)
    return listing


def login(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def pages(anon: Listing, need: Listing) -> list[str]:
    return ["/matching/", "/matching/?kind=patent", "/matching/?q=防曇", anon.get_absolute_url(), need.get_absolute_url()]


def apis(anon: Listing, need: Listing) -> list[str]:
    return ["/api/matching/listings", "/api/matching/listings?kind=patent", f"/api/matching/listings/{anon.uuid}",
            f"/api/matching/listings/{need.uuid}/suggestions", f"/api/matching/listings/{need.uuid}"]


@pytest.mark.parametrize("who", [None, "outsider", "maker", "readonly", "univ", "vc"])
def test_anonymous_owner_never_appears_to_others(anon, tech_set, users, who):
    c = login(users[who] if who else None)
    for url in pages(anon, tech_set["need"]) + apis(anon, tech_set["need"]):
        body = c.get(url).content.decode()
        assert SECRET not in body, url
        assert PATENT not in body, url
        assert "secret@himitsu" not in body, url


def test_the_anonymous_listing_itself_is_browsable(anon, tech_set, users):
    c = login(users["maker"])
    assert "車載カメラの防曇フィルム" in c.get("/matching/?kind=patent").content.decode()
    data = c.get(f"/api/matching/listings/{anon.uuid}").json()
    assert data["owner"]["hidden"] is True and data["patent_number"] is None


def test_the_need_owner_sees_the_anonymous_patent_as_a_suggestion_without_its_owner(anon, tech_set, users):
    c = login(users["maker"])
    got = c.get(f"/api/matching/listings/{tech_set['need'].uuid}/suggestions").json()
    cands = {s["candidate"]["uuid"]: s for s in got}
    assert str(anon.uuid) in cands
    assert cands[str(anon.uuid)]["candidate"]["owner"] == {"hidden": True, "name": "匿名（紹介が成立するまで非公開）"}


def test_owner_and_coordinator_see_the_owner(anon, users):
    owner = anon.owner_organization.memberships.first().user
    for user in (owner, users["coordinator"]):
        assert SECRET in login(user).get(anon.get_absolute_url()).content.decode()
        assert login(user).get(f"/api/matching/listings/{anon.uuid}").json()["owner"]["name"] == SECRET


def test_owner_is_revealed_to_the_other_side_only_after_both_consent(anon, tech_set, users):
    maker = users["maker"]
    intro = services.request_introduction(tech_set["need"], anon, by=maker)
    services.approve(intro, by=users["coordinator"])
    assert SECRET not in login(maker).get(anon.get_absolute_url()).content.decode()
    owner = anon.owner_organization.memberships.first().user
    services.consent(intro, by=owner)
    intro.refresh_from_db()
    assert intro.status == Introduction.Status.CONSENTED
    assert SECRET in login(maker).get(anon.get_absolute_url()).content.decode()
    # still hidden from everyone else
    assert SECRET not in login(users["vc"]).get(anon.get_absolute_url()).content.decode()
