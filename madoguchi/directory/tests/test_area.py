from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.directory.models import Area, Facility, Municipality
from madoguchi.directory.presentation import change_note
from madoguchi.directory.tests.helpers import make_org


@pytest.fixture
def tomiya(db):
    town = Municipality.objects.create(code="044237", name="富谷町", kind=Municipality.Kind.TOWN,
                                       valid_to=dt.date(2016, 10, 9))
    city = Municipality.objects.create(code="042161", name="富谷市", kind=Municipality.Kind.CITY,
                                       valid_from=dt.date(2016, 10, 10))
    town.successor = city
    town.save()
    return town, city


def _area(*municipalities: Municipality) -> Area:
    area = Area.objects.create(
        slug="sendai-hokubu", name="仙台北部地域", designation="高度技術産学連携地域", area_km2=1200,
        description="泉パークタウンには研究所や工場が立地している。", source="三-1",
    )
    area.municipalities.set(municipalities)
    return area


def test_area_page_shows_designation_size_description_and_municipalities(client, sendai):
    ohira = Municipality.objects.create(code="044245", name="大衡村", kind=Municipality.Kind.VILLAGE)
    _area(sendai, ohira)
    response = client.get("/areas/sendai-hokubu/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "仙台北部地域" in html and "高度技術産学連携地域" in html
    assert "約1,200km²" in html
    assert "泉パークタウンには研究所や工場が立地している。" in html
    assert "仙台市" in html and "大衡村" in html


@pytest.mark.parametrize("listed", ["former", "current"])
def test_tomiya_is_shown_as_a_city_with_its_2005_name(client, tomiya, listed):
    town, city = tomiya
    _area(town if listed == "former" else city)
    html = client.get("/areas/sendai-hokubu/").content.decode()
    assert "富谷市（2005年時点は富谷町（2016年10月10日に市制施行））" in html


def test_change_note_without_dates_falls_back_to_the_history_note(db):
    town = Municipality(code="1", name="富谷町", kind=Municipality.Kind.TOWN, history_note="市制施行により富谷市へ")
    city = Municipality(code="2", name="富谷市", kind=Municipality.Kind.CITY)
    assert change_note(town, city, dt.date(2005, 12, 1)) == "2005年時点は富谷町（市制施行により富谷市へ）"


def test_area_lists_institutions_and_facilities_in_its_municipalities_and_wards(client, sendai, aoba, tomiya):
    town, city = tomiya
    ishinomaki = Municipality.objects.create(code="042021", name="石巻市", kind=Municipality.Kind.CITY)
    _area(sendai, town)
    make_org("chuokai", "宮城県中小企業団体中央会", municipality=aoba)
    make_org("tomiya-shokokai", "富谷市商工会", municipality=city)
    make_org("senshu", "石巻専修大学", municipality=ishinomaki)
    Facility.objects.create(slug="icr", name="ICRビル研究棟", municipality=aoba)
    Facility.objects.create(slug="far", name="石巻の施設", municipality=ishinomaki)
    html = client.get("/areas/sendai-hokubu/").content.decode()
    assert "宮城県中小企業団体中央会" in html
    assert "富谷市商工会" in html
    assert "石巻専修大学" not in html
    assert 'href="/facilities/#icr"' in html
    assert "石巻の施設" not in html


def test_unknown_area_gives_a_japanese_404(client, db):
    response = client.get("/areas/tokyo/")
    assert response.status_code == 404
    assert "「tokyo」という地域は登録されていません。" in response.content.decode()


def test_real_plan_sendai_hokubu_page(client, plan):
    html = client.get("/areas/sendai-hokubu/").content.decode()
    municipalities = html[html.index('class="municipalities"'):].split("</ul>")[0]
    assert "大衡村" in municipalities and "大和町" in municipalities and "大郷町" in municipalities
    assert "仙台市" in municipalities
    assert municipalities.count("富谷市") == 1
    assert "富谷市（2005年時点は富谷町（2016年10月10日に市制施行））" in municipalities
    assert "青葉区" not in municipalities  # wards belong to 仙台市's entry
    assert "宮城県産業技術総合センター" in html  # 仙台市泉区


def test_area_page_queries_do_not_grow_with_institutions(client, sendai, aoba, tomiya, django_assert_max_num_queries):
    town, _city = tomiya
    _area(sendai, aoba, town)
    for i in range(20):
        make_org(f"org-{i}", f"機関{i}", municipality=aoba)
        Facility.objects.create(slug=f"f-{i}", name=f"施設{i}", municipality=aoba)
    with django_assert_max_num_queries(10):
        html = client.get("/areas/sendai-hokubu/").content.decode()
    assert html.count('href="/organizations/org-') == 20
