"""Result cards: plain reasons (ranking untouched), contact, program status and deadline,
English names where they exist, and 「保存」 into the session."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from madoguchi.directory.models import Organization, OrganizationFunction, Program, SupportFunction
from madoguchi.search.cards import Question, _Doc, build_cards, plain_reasons, program_facts
from madoguchi.search.facets import Facet
from madoguchi.search.service import search


def test_a_function_read_from_the_question_becomes_one_plain_sentence() -> None:
    facets = [Facet("function", "finance", "資金・設備支援", "text", "資金繰り")]
    doc = _Doc(functions={"finance"}, terms={"融資", "保証"})
    reasons = plain_reasons("organization", doc, Question.of("資金繰りに困っている", facets))
    assert reasons[0] == "資金繰りのご相談 → 融資・保証の窓口です"
    assert len(reasons) <= 3 and not any("一致" in r or "読み替え" in r for r in reasons)


def test_a_function_the_record_does_not_offer_gives_no_reason() -> None:
    facets = [Facet("function", "finance", "資金・設備支援", "text", "資金繰り")]
    reasons = plain_reasons("program", _Doc(functions={"market"}), Question.of("", facets))
    assert reasons == ["ご相談の内容に近い支援事業です"]


def test_program_facts_read_the_application_window() -> None:
    today = dt.date(2026, 12, 4)
    window = SimpleNamespace(application_opens=dt.date(2026, 11, 1), application_closes=dt.date(2026, 12, 15))
    assert program_facts(window, today) == ("受付中", dt.date(2026, 12, 15))
    assert program_facts(SimpleNamespace(application_opens=None, application_closes=dt.date(2026, 1, 1)), today)[0] == "受付終了"
    assert program_facts(SimpleNamespace(application_opens=dt.date(2027, 1, 1), application_closes=None), today)[0] == "受付前"
    assert program_facts(SimpleNamespace(), today) == ("", None)


def test_program_facts_prefer_what_a_richer_program_model_says() -> None:
    # A catalogue of call rounds can answer for itself: card_status / next_deadline win.
    program = SimpleNamespace(card_status=lambda: "第2回公募中", next_deadline=dt.date(2027, 2, 1),
                              application_opens=None, application_closes=dt.date(2020, 1, 1))
    assert program_facts(program) == ("第2回公募中", dt.date(2027, 2, 1))


@pytest.fixture
def fund(db: Any) -> Organization:
    finance = SupportFunction.objects.create(code="finance", name="資金・設備支援", short_name="資金", order=4)
    org = Organization.objects.create(
        slug="shinyo", name="宮城県信用保証協会", name_en="Miyagi Credit Guarantee Corporation", kind="support",
        phone="022-225-6491", url="https://example.jp/shinyo",
        description="中小企業者の債務保証を行う。融資を受けやすくする。")
    OrganizationFunction.objects.create(organization=org, function=finance)
    Program.objects.create(slug="shinyo-loan", organization=org, name="創業資金の保証",
                           description="創業する方の融資を保証する", application_opens=dt.date(2000, 1, 1),
                           application_closes=dt.date(2999, 12, 15))
    from madoguchi.search.documents import rebuild_all

    rebuild_all()
    return org


def test_cards_carry_summary_contact_status_deadline_and_a_prefilled_consult_link(fund: Organization) -> None:
    cards = {c.kind: c for c in build_cards(search("資金繰りに困っている"))}
    org, program = cards["organization"], cards["program"]
    assert org.summary == "中小企業者の債務保証を行う。"
    assert org.institution is not None and org.institution.phone == "022-225-6491"
    assert org.reasons[0] == "資金繰りのご相談 → 融資・保証の窓口です"
    assert program.status == "受付中" and program.deadline == dt.date(2999, 12, 15)
    assert program.institution is not None and program.institution.name == "宮城県信用保証協会"
    assert program.consult_url.startswith("/cases/new/?organization=shinyo&program=shinyo-loan&q=")


def test_cards_do_not_change_the_engines_order(fund: Organization) -> None:
    response = search("資金繰りに困っている")
    assert [c.key for c in build_cards(response)] == [f"{h.kind}:{h.id}" for h in response.results]


def test_english_cards_use_the_recorded_english_name_and_dates(fund: Organization, client: Client) -> None:
    with translation.override("en"):
        cards = {c.kind: c for c in build_cards(search("資金繰りに困っている"))}
    assert cards["organization"].name == "Miyagi Credit Guarantee Corporation"
    assert not cards["organization"].japanese_text
    client.cookies["django_language"] = "en"
    with translation.override("ja"):
        html = client.get(reverse("search:search"), {"q": "資金繰りに困っている"}).content.decode()
    assert "Miyagi Credit Guarantee Corporation" in html and "15 December 2999" in html
    assert "You asked about 資金繰り → a window for loans and guarantees" in html


def test_save_and_remove_a_result_in_the_session(fund: Organization, client: Client) -> None:
    back = reverse("search:search") + "?q=%E8%B3%87%E9%87%91"
    response = client.post(reverse("search:save"), {"key": "organization:shinyo", "action": "add", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert "保存を取り消す" in client.get(back).content.decode()
    assert "宮城県信用保証協会" in client.get(reverse("search:saved")).content.decode()
    client.post(reverse("search:save"), {"key": "organization:shinyo", "action": "remove", "next": back})
    assert "まだ何も保存していません" in client.get(reverse("search:saved")).content.decode()


def test_saving_something_that_is_not_a_result_is_refused_in_japanese(fund: Organization, client: Client) -> None:
    response = client.post(reverse("search:save"), {"key": "organization:nope", "action": "add"})
    assert response.status_code == 400
    assert "保存できませんでした" in response.content.decode()
    assert client.session.get("saved_results", []) == []


def test_save_never_redirects_off_the_site(fund: Organization, client: Client) -> None:
    response = client.post(reverse("search:save"), {"key": "organization:shinyo", "next": "https://evil.example/"})
    assert response["Location"] == reverse("search:saved")


def test_stage_and_place_reasons_use_the_pages_names() -> None:
    facets = [Facet("stage", "startup", "創業期", "text", "創業"), Facet("municipality", "042021", "石巻市", "text", "石巻")]
    question = Question.of("", facets, {("stage", "startup"): "Start-up", ("municipality", "042021"): "Ishinomaki"})
    with translation.override("en"):
        reasons = plain_reasons("organization", _Doc(stages={"startup"}, municipalities={"042021"}), question)
    assert reasons == ["For businesses at the Start-up stage", "Located in Ishinomaki"]


def test_a_catalogued_program_shows_the_status_and_deadline_of_its_call_rounds(db: Any) -> None:
    from django.utils import timezone

    from madoguchi.catalog.models import CallRound, CatalogEntry, ProgramType, Source
    from madoguchi.search.documents import rebuild_all

    org = Organization.objects.create(slug="miyagi", name="宮城県", kind=Organization.Kind.PARTNER)
    source = Source.objects.create(name="Jグランツ", slug="jgrants", kind=Source.Kind.JGRANTS,
                                   attribution="出典: Jグランツ", licence="政府標準利用規約", url="https://example.jp/")
    program = Program.objects.create(slug="jgrants-s1", organization=org, name="ものづくり補助金",
                                     description="試作品の開発と設備投資を補助する")
    entry = CatalogEntry.objects.create(program=program, source=source, external_id="S1", type=ProgramType.SUBSIDY)
    closes = timezone.now() + dt.timedelta(days=5)
    CallRound.objects.create(entry=entry, opens_at=timezone.now() - dt.timedelta(days=10), closes_at=closes)
    rebuild_all()
    card = next(c for c in build_cards(search("ものづくり補助金")) if c.kind == "program")
    assert card.status == "締切間近" and card.deadline == timezone.localdate(closes)
