from __future__ import annotations

from django.urls import reverse

from madoguchi.directory.models import Organization, Program
from madoguchi.directory.tests.helpers import make_org


def test_home_explains_the_platform_and_offers_a_search_box(client, functions):
    response = client.get(reverse("directory:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "地域プラットフォーム" in html
    assert '<form action="/search/" method="get"' in html
    assert "どんなことでお困りですか" in html
    assert 'name="q"' in html


def test_home_links_each_function_to_the_filtered_list(client, functions):
    html = client.get(reverse("directory:home")).content.decode()
    for code, function in functions.items():
        assert f'href="/organizations/?function={code}"' in html
        assert function.name in html


def test_home_links_to_diagnosis_and_consultation(client, db):
    html = client.get(reverse("directory:home")).content.decode()
    assert 'href="/search/diagnosis/"' in html
    assert 'href="/cases/new/"' in html


def test_home_counts_institutions_and_programs(client, db):
    core = make_org("miyagi-sangyo", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    make_org("techno-arch", "(株)東北テクノアーチ")
    Program.objects.create(slug="setsubi", name="設備資金貸付事業", organization=core)
    html = client.get(reverse("directory:home")).content.decode()
    assert "支援機関・関係機関 2件" in html
    assert "支援事業・制度 1件" in html
    assert 'href="/organizations/miyagi-sangyo/"' in html


def test_every_page_has_the_main_navigation(client, db):
    html = client.get(reverse("directory:home")).content.decode()
    for href in ["/organizations/", "/programs/", "/functions/", "/facilities/", "/areas/sendai-hokubu/",
                 "/cases/new/", "/events/"]:
        assert f'href="{href}"' in html
