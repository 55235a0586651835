from __future__ import annotations

from madoguchi.directory.models import Facility
from madoguchi.directory.tests.helpers import make_org


def test_facility_shows_kind_operator_source_and_time_with_slug_anchor(client, db):
    operator = make_org("techno-plaza", "(株)テクノプラザみやぎ")
    Facility.objects.create(
        slug="plaza21", name="21世紀プラザ研究センター", kind=Facility.Kind.INCUBATOR, operator=operator,
        operator_basis="二-1 (11)", source="表1",
    )
    html = client.get("/facilities/").content.decode()
    assert 'id="plaza21"' in html
    assert "21世紀プラザ研究センター" in html
    assert "インキュベーション施設" in html
    assert 'href="/organizations/techno-plaza/"' in html and "(株)テクノプラザみやぎ" in html
    assert "表1" in html and "2005年12月時点" in html


def test_facility_without_operator_says_the_plan_does_not_name_one(client, db):
    Facility.objects.create(slug="osl", name="東北産学官連携研究棟「とうほくOSL」", kind=Facility.Kind.RESEARCH)
    html = client.get("/facilities/").content.decode()
    assert "運営機関: 計画に記載なし" in html
