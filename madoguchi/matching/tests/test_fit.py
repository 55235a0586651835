"""Matching that finds the fit (issue #16): what counts as common ground, the shared synonym
data, registry institutions as supply, and feedback that acts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from madoguchi.directory.models import Organization, OrganizationFunction, SupportFunction
from madoguchi.matching import candidate_pool, matches, ranker, services
from madoguchi.matching.models import Feedback, InstitutionMatch, Introduction, Kind, Listing
from madoguchi.matching.tests.conftest import make_listing
from madoguchi.matching.text import analyze


def ranked(listing: Listing) -> list[object]:
    return [s.id for s in matches.compute(listing)]


def doc(id_: str, kind: str, text: str, **kw: Any) -> candidate_pool.Doc:
    return candidate_pool.Doc(id=id_, kind=kind, terms=analyze(text), owner=id_, **kw)


# -- what counts as common ground ------------------------------------------------------------------


def test_one_shared_specific_word_is_enough(db):
    order = make_listing(Kind.ORDER, "ドアの戸当たりと蝶番部品の調達", "事務所の改装で使う蝶番を30組。")
    hinge = make_listing(Kind.SUPPLIER, "建具金物の製造", "扉用の蝶番、ドアクローザーなどを製造しています。")
    assert ranked(order)[0] == hinge.pk
    reasons = matches.compute(order)[0].reasons
    assert reasons[0] == "「蝶番」が共通"  # the content first, and the specific word named


def test_one_shared_generic_word_is_not_enough(db):
    order = make_listing(Kind.ORDER, "ドアの蝶番部品の調達", "事務所の改装で使う部品。")
    make_listing(Kind.SUPPLIER, "精密部品の切削加工", "マシニングセンタで精密部品を削ります。")
    assert ranked(order) == []  # 「部品」 alone is no reason to introduce anyone


def test_the_specific_fit_outranks_generic_look_alikes(db):
    need = make_listing(Kind.NEED, "高温炉の中で使えるばね", "熱処理炉の扉の機構に使う部品で、耐熱の材料を探している。")
    spring = make_listing(Kind.PATENT, "高温用コイルスプリング", "600℃の炉内でもへたりの少ないスプリング。")
    coupling = make_listing(Kind.PATENT, "軸継手", "異なる材料の軸をつなぐ部品。耐熱の材料を使う装置用。")
    got = ranked(need)
    assert got[0] == spring.pk
    assert coupling.pk not in got[:1]


def test_company_form_words_never_count_as_common_ground(db):
    order = make_listing(Kind.ORDER, "株式会社からの冷凍庫の在庫管理システム開発の依頼",
                         "有限会社でも株式会社でもよいので、冷凍庫の在庫を管理したい。")
    gauze = make_listing(Kind.SUPPLIER, "株式会社泉システム", "株式会社泉システムは有限会社時代から医療機関向けの器材を扱う会社です。")
    fit = make_listing(Kind.SUPPLIER, "在庫管理の受託開発", "冷凍食品の卸向けに在庫管理を開発しています。")
    got = matches.compute(order)
    assert [s.id for s in got][0] == fit.pk
    assert gauze.pk not in [s.id for s in got]
    assert not any("会社" in r or "株式" in r for s in got for r in s.reasons)


def test_never_empty_when_a_candidate_shares_a_specific_word():
    # many candidates share generic words heavily; the only one sharing a specific word is weak
    src = doc("o", Kind.ORDER, "ゴム製パッキンの製作。部品と材料と装置の加工と製造。")
    pool = candidate_pool.build_pool(
        [doc(f"g{i}", Kind.SUPPLIER, "部品と材料の加工と製造。装置の製造。") for i in range(30)]
        + [doc("p", Kind.SUPPLIER, "配管のパッキンを打ち抜きます。")]
    )
    got = [s.id for s in ranker.suggest(pool, src)]
    assert "p" in got


def test_field_and_place_alone_do_not_make_a_candidate(db, field_, muni):
    need = make_listing(Kind.NEED, "牡蠣殻の活用", "牡蠣の殻を土壌改良材にしたい。", fields=[field_["food"]],
                        tech_area="food", municipality=muni["ishinomaki"])
    make_listing(Kind.SEED, "米ぬか由来の機能性素材", "血糖値の上昇を抑える。", fields=[field_["food"]],
                 tech_area="food", municipality=muni["ishinomaki"])
    assert ranked(need) == []


def test_when_nothing_fits_the_page_says_so_and_names_kinds_to_try(db, users, orgs):
    need = make_listing(Kind.NEED, "ゴム製パッキンの耐油性を上げたい", "食品機械のパッキンが油で膨らむ。", owner_organization=orgs["maker"])
    make_listing(Kind.SUPPLIER, "ゴム製パッキンの成形", "Oリングやパッキンを金型で成形します。")
    assert ranked(need) == []
    assert matches.nearest_kinds(need) == [str(Kind.SUPPLIER.label)]
    c = Client()
    c.force_login(users["maker"])
    page = c.get(need.get_absolute_url()).content.decode()
    assert "内容の合う候補はありません" in page and "受注可能な技術" in page


# -- the shared synonym data (search's data/synonyms.tsv) ---------------------------------------------


@pytest.mark.parametrize(("asked", "offered"), [
    ("高温炉の中で使えるばね", "耐熱コイルスプリング"),
    ("耐熱スプリング", "高温で使えるばね"),
    ("パソコン画面のブルーライトを減らしたい", "青色光カットフィルム"),
    ("青色光を遮るフィルム", "ブルーライトを減らす"),
    ("カラーレンズの眼鏡", "メガネの着色"),
    ("メガネの着色", "眼鏡のカラーレンズ"),
])
def test_loanword_pairs_meet(db, asked, offered):
    need = make_listing(Kind.NEED, asked, "")
    patent = make_listing(Kind.PATENT, offered, "")
    assert ranked(need) == [patent.pk]


# -- registry institutions as supply ---------------------------------------------------------------


def _function(code: str, order: int) -> SupportFunction:
    label = str(SupportFunction.Code(code).label)
    return SupportFunction.objects.create(code=code, name=label, short_name=label[:4], order=order)


def _offering(org: Organization, function: SupportFunction) -> None:
    OrganizationFunction.objects.create(organization=org, function=function)


@pytest.fixture
def registry(db, muni):
    finance, tech = _function("finance", 4), _function("tech_dev", 1)
    mk = Organization.objects.create
    guarantee = mk(slug="cgc", name="宮城県信用保証協会", kind=Organization.Kind.SUPPORT, municipality=muni["aoba"],
                   description="中小企業が金融機関から借りる事業資金の信用保証。")
    jfc = mk(slug="jfc", name="日本政策金融公庫 仙台支店", kind=Organization.Kind.SUPPORT, municipality=muni["aoba"],
             description="創業資金・設備資金の融資。")
    itc = mk(slug="itc", name="宮城県産業技術総合センター", kind=Organization.Kind.RESEARCH_INSTITUTE,
             description="金属3Dプリンタによる試作、材料の試験・分析、技術相談。")
    closed = mk(slug="old", name="旧・地域融資公社", kind=Organization.Kind.SUPPORT, status=Organization.Status.DISSOLVED,
                description="融資。")
    for org in (guarantee, jfc, closed):
        _offering(org, finance)
    _offering(itc, tech)
    return {"guarantee": guarantee, "jfc": jfc, "itc": itc, "closed": closed}


def test_a_funding_request_always_meets_the_registry_lenders(registry, orgs, users):
    funding = make_listing(Kind.FUNDING, "カフェの開業資金を借りたい", "内装と機器に500万円。", amount_min=500, amount_max=500,
                           owner_organization=orgs["maker"])
    got = ranked(funding)
    assert matches.org_id(registry["jfc"].pk) in got and matches.org_id(registry["guarantee"].pk) in got
    assert matches.org_id(registry["closed"].pk) not in got  # dissolved bodies are not suggested
    assert matches.org_id(registry["itc"].pk) not in got  # not a lender
    matches.refresh(funding)
    assert set(InstitutionMatch.objects.filter(listing=funding).values_list("organization__slug", flat=True)) == {"cgc", "jfc"}
    c = Client()
    c.force_login(users["maker"])
    page = c.get(funding.get_absolute_url()).content.decode()
    assert "支援機関（登録簿）" in page and "日本政策金融公庫 仙台支店" in page


def test_lenders_keep_their_place_among_many_fitting_investors():
    src = doc("f", Kind.FUNDING, "工場の設備資金を調達したい。食品の冷凍設備。")
    investors = [doc(f"i{i}", Kind.INVESTOR, "食品工場の設備資金に投資します。冷凍設備も。") for i in range(30)]
    lenders = [doc(f"x{i}", candidate_pool.ORG_FINANCE, f"金融機関{i}", always=True) for i in range(4)]
    got = [s.id for s in ranker.suggest(candidate_pool.build_pool(investors + lenders), src, k=20)]
    assert len(got) == 20
    assert sum(x.startswith("x") for x in got) == ranker.ALWAYS_KEPT
    assert len(ranker.suggest(candidate_pool.build_pool(investors + lenders), src, k=1)) == 1


def test_a_technology_need_meets_the_public_research_institute_on_content(registry):
    need = make_listing(Kind.NEED, "金属の試作品を早く作りたい", "金型なしで金属3Dプリンタで試作したい。")
    other = make_listing(Kind.NEED, "いちごの甘さを知りたい", "収穫前に糖度を知りたい。")
    assert matches.org_id(registry["itc"].pk) in ranked(need)
    assert matches.org_id(registry["itc"].pk) not in ranked(other)


# -- feedback that acts -------------------------------------------------------------------------------


def _seed_pool() -> tuple[candidate_pool.Pool, candidate_pool.Doc]:
    src = doc("n", Kind.NEED, "車載カメラのレンズの曇り止めコーティング")
    docs = [
        doc("a", Kind.SEED, "レンズの曇り止めコーティング。親水性の膜。"),
        doc("a2", Kind.SEED, "レンズの曇り止めコーティング。親水性の膜を車載向けに。"),  # like a
        doc("b", Kind.SEED, "車載カメラの画像処理。曇りの検出。"),  # unlike a
    ]
    return candidate_pool.build_pool(docs), src


def test_rejecting_a_candidate_removes_it_and_lowers_similar_ones():
    pool, src = _seed_pool()
    before = {s.id: s.score for s in ranker.suggest(pool, src)}
    after = {s.id: s.score for s in ranker.suggest(pool, src, penalties=[candidate_pool.Penalty("a", "terms")])}
    assert "a" in before and "a" not in after
    drop_twin = before["a2"] - after["a2"]
    drop_other = before["b"] - after["b"]
    assert drop_twin > 0.2 and drop_twin > 2 * drop_other


def test_accepted_introductions_raise_similar_candidates():
    pool, src = _seed_pool()
    before = {s.id: s.score for s in ranker.suggest(pool, src)}
    accepted = {s.id: s.score for s in ranker.suggest(pool, src, boosts=[candidate_pool.Boost("b", 1.0)])}
    outcome = {s.id: s.score for s in ranker.suggest(pool, src, boosts=[candidate_pool.Boost("b", 2.0)])}
    assert accepted["b"] > before["b"] and outcome["b"] > accepted["b"]
    assert accepted["b"] - before["b"] > accepted["a"] - before["a"]


def test_not_fitting_feedback_takes_the_candidate_off_the_list_at_once(tech_set, users):
    need, seed = tech_set["need"], tech_set["seed"]
    matches.refresh(need)
    assert need.matches.filter(candidate=seed).exists()
    services.give_feedback(need, seed, by=users["maker"], reason=Feedback.Reason.FIELD)
    assert not need.matches.filter(candidate=seed).exists()
    assert need.matches.exists()  # the rest stays


def test_an_approved_introduction_raises_its_candidate_for_the_listing(tech_set, users):
    need, patent = tech_set["need"], tech_set["patent"]
    score = {s.id: s.score for s in matches.compute(need)}
    Introduction.objects.create(listing=need, candidate=patent, status=Introduction.Status.APPROVED)
    raised = {s.id: s.score for s in matches.compute(need)}
    assert raised[patent.pk] > score[patent.pk]


def test_the_nightly_batch_applies_accepted_introductions_too(tech_set):
    need, patent = tech_set["need"], tech_set["patent"]
    matches.refresh_all()
    before = need.matches.get(candidate=patent).score
    Introduction.objects.create(listing=need, candidate=patent, status=Introduction.Status.CONSENTED)
    matches.refresh_all()
    assert need.matches.get(candidate=patent).score > before


def test_an_introduction_that_led_to_a_licence_raises_similar_candidates_more(tech_set, users):
    need, seed, patent = tech_set["need"], tech_set["seed"], tech_set["patent"]
    base = {s.id: s.score for s in matches.compute(need)}
    intro = services.request_introduction(need, seed, by=users["maker"])
    services.approve(intro, by=users["coordinator"])
    services.consent(intro, by=users["univ"])
    intro.refresh_from_db()
    accepted = {s.id: s.score for s in matches.compute(need)}
    referral = intro_referral(intro)
    for step in ("accept", "start"):
        getattr(referral, step)(by=users["univ"], expected_version=referral.version)
        referral.refresh_from_db()
    referral.complete(by=users["univ"], expected_version=referral.version, outcome="license")
    licensed = {s.id: s.score for s in matches.compute(need)}
    # the patent is like the licensed seed (both 防曇): raised once accepted, more after the licence
    assert base[patent.pk] < accepted[patent.pk] < licensed[patent.pk]


def intro_referral(intro: Introduction):
    from madoguchi.cases.models import Referral

    return Referral.objects.get(case__code=intro.case_ref, to_org__slug="tohoku-u")
