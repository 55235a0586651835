"""The wizard's roadmap: the field and place chosen narrow and order it; each step names the
window, the program and the next action; it ends with consult / save / print."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.directory.models import Field, Municipality, Organization, OrganizationFunction, Program, SupportFunction
from madoguchi.search.diagnosis import order_by_fit
from madoguchi.search.results import Hit


def _hit(id_: str) -> Hit:
    return Hit("organization", id_, id_, None, None, 1.0, [])


def test_order_by_fit_puts_place_first_then_field_and_keeps_the_engines_order_within() -> None:
    hits = [_hit("a"), _hit("b"), _hit("c"), _hit("d")]
    codes = {"organization:a": (set(), set()), "organization:b": ({"food"}, set()),
             "organization:c": (set(), {"042021"}), "organization:d": ({"food"}, {"042021"})}
    ordered = order_by_fit(hits, field="food", places={"042021"}, codes=codes)
    assert [h.id for h in ordered] == ["d", "c", "b", "a"]
    assert [h.id for h in order_by_fit(hits, field=None, places=set(), codes=codes)] == ["a", "b", "c", "d"]


@pytest.fixture
def two_windows(db: Any) -> None:
    finance = SupportFunction.objects.create(code="finance", name="資金・設備支援", short_name="資金", order=4)
    sendai = Municipality.objects.create(code="041009", name="仙台市", kind="designated_city")
    ishinomaki = Municipality.objects.create(code="042021", name="石巻市", kind="city")
    food = Field.objects.create(code="food", name="食")
    Field.objects.create(code="it", name="IT")
    city = Organization.objects.create(
        slug="sendai-fund", name="仙台資金センター", kind="support", municipality=sendai,
        description="資金を借りたい方、設備を入れたい方の融資の相談。資金の借入と設備の導入を支援する")
    coast = Organization.objects.create(
        slug="coast-fund", name="石巻水産資金窓口", kind="support", municipality=ishinomaki,
        description="水産加工の資金の相談")
    coast.fields.add(food)
    for org in (city, coast):
        OrganizationFunction.objects.create(organization=org, function=finance)
    Program.objects.create(slug="coast-loan", organization=coast, name="水産加工の設備資金融資", description="設備資金を貸す")
    from madoguchi.search.documents import rebuild_all

    rebuild_all()


def _roadmap(client: Client, **extra: str) -> str:
    params = {"step": "roadmap", "stage": "", "need": "finance", **extra}
    response = client.get(reverse("search:diagnosis"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_place_chosen_orders_the_roadmap(client: Client, two_windows: None) -> None:
    anywhere = _roadmap(client)
    assert anywhere.index("仙台資金センター") < anywhere.index("石巻水産資金窓口")
    in_ishinomaki = _roadmap(client, place="042021")
    first_step = in_ishinomaki[in_ishinomaki.index('class="card roadmap-step"'):]
    assert first_step.index("石巻水産資金窓口") < first_step.index("仙台資金センター")


def test_the_field_chosen_narrows_and_orders_the_roadmap(client: Client, two_windows: None) -> None:
    food = _roadmap(client, field="food")
    step = food[food.index('class="card roadmap-step"'):]
    assert step.index("石巻水産資金窓口") < step.index("仙台資金センター")
    it = _roadmap(client, field="it")
    assert "石巻水産資金窓口" not in it  # it names another field: left out, not merely moved down


def test_each_step_names_window_program_and_next_action_and_the_roadmap_ends_with_actions(
    client: Client, two_windows: None,
) -> None:
    html = _roadmap(client, place="042021")
    step = html[html.index('class="card roadmap-step"'):html.index("</li>", html.index('class="card roadmap-step"'))]
    assert "相談する窓口" in step and "石巻水産資金窓口" in step
    assert "使える支援事業" in step and "水産加工の設備資金融資" in step
    assert "次にすること" in step and "石巻水産資金窓口に「水産加工の設備資金融資」について相談を申し込む" in step
    assert "?organization=coast-fund&amp;program=coast-loan" in step
    assert " / " not in step
    assert "このロードマップで相談する" in html and "ロードマップを保存する" in html and "印刷する" in html


def test_saving_the_roadmap_keeps_its_steps_in_the_saved_list(client: Client, two_windows: None) -> None:
    response = client.post(reverse("search:save"), {"key": ["organization:coast-fund", "program:coast-loan"], "action": "add",
                                                     "next": reverse("search:saved")})
    assert response.status_code == 302 and response["Location"] == reverse("search:saved")
    html = client.get(reverse("search:saved")).content.decode()
    assert "石巻水産資金窓口" in html and "水産加工の設備資金融資" in html and "保存を取り消す" in html
