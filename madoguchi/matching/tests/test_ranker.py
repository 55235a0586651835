"""The ranker pairs complementary kinds and puts the listing that fits first; stored matches follow saves."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from madoguchi.matching import matches
from madoguchi.matching.models import Feedback, Kind, Listing
from madoguchi.matching.tests.conftest import make_listing


def ranked(listing: Listing) -> list[int]:
    return [s.id for s in matches.compute(listing)]


def test_need_gets_the_answering_seed_first_and_the_patent_too(tech_set):
    got = ranked(tech_set["need"])
    assert got[0] == tech_set["seed"].pk
    assert tech_set["patent"].pk in got[:2]


def test_seed_gets_the_need_and_never_another_seed(tech_set):
    got = ranked(tech_set["seed"])
    assert got == [tech_set["need"].pk]


def test_funding_request_gets_the_fitting_investor_first(money_set):
    got = ranked(money_set["funding"])
    assert got[0] == money_set["investor"].pk


def test_investor_gets_the_funding_request(money_set):
    assert ranked(money_set["investor"]) == [money_set["funding"].pk]


def test_order_gets_the_supplier_with_the_processes_first(order_set):
    got = ranked(order_set["order"])
    assert got[0] == order_set["supplier"].pk


def test_supplier_gets_the_order(order_set):
    assert ranked(order_set["supplier"]) == [order_set["order"].pk]


def test_job_offer_gets_the_matching_seeker_first(job_set):
    got = ranked(job_set["offer"])
    assert got[0] == job_set["seeker"].pk
    assert ranked(job_set["seeker"]) == [job_set["offer"].pk]


def test_amount_outside_the_range_is_excluded(money_set):
    got = ranked(money_set["funding"])
    assert money_set["big_lender"].pk not in got  # 1億円から: too large for 3,000万円
    assert money_set["small_angel"].pk not in got  # at most 500万円


def test_stage_that_does_not_fit_is_excluded_for_money(money_set):
    assert money_set["growth_vc"].pk not in ranked(money_set["funding"])


def test_expired_listing_is_never_suggested(tech_set):
    seed = tech_set["seed"]
    seed.expires_on = timezone.localdate() - dt.timedelta(days=1)
    seed.save()
    assert seed.pk not in ranked(tech_set["need"])


def test_unpublished_listing_is_never_suggested(tech_set):
    tech_set["seed"].status = Listing.Status.PENDING
    tech_set["seed"].save()
    assert tech_set["seed"].pk not in ranked(tech_set["need"])


def test_order_past_its_deadline_is_not_suggested_to_suppliers(order_set):
    order = order_set["order"]
    order.deadline = timezone.localdate() - dt.timedelta(days=1)
    order.save()
    assert ranked(order_set["supplier"]) == []


def test_own_listings_are_not_suggested(tech_set, orgs):
    mine = make_listing(Kind.SEED, "防曇コーティングの評価技術", "車載カメラのレンズの曇りを評価する。",
                        owner_organization=orgs["maker"])
    assert mine.pk not in ranked(tech_set["need"])


def test_reasons_are_in_japanese_and_name_what_fits(money_set, order_set):
    first = matches.compute(money_set["funding"])[0]
    assert "分野が一致（食・IT）" in first.reasons or "分野が一致（IT・食）" in first.reasons
    assert "金額の範囲が合う（3,000万円）" in first.reasons
    assert "段階が合う（創業期）" in first.reasons
    order_first = matches.compute(order_set["order"])[0]
    assert "工程が合う（アルマイト・切削）" in order_first.reasons
    assert "所在地が同じ（大衡村）" in order_first.reasons
    assert any(r.endswith("が共通") for r in order_first.reasons)


def test_feedback_removes_the_pair(tech_set, users):
    need, seed = tech_set["need"], tech_set["seed"]
    assert ranked(need)[0] == seed.pk
    Feedback.objects.create(listing=need, candidate=seed, reason=Feedback.Reason.FIELD, by=users["maker"])
    got = ranked(need)
    assert seed.pk not in got
    assert got[0] == tech_set["patent"].pk


def test_feedback_from_the_other_side_lowers_the_pair_too(tech_set, users):
    need, seed = tech_set["need"], tech_set["seed"]
    Feedback.objects.create(listing=seed, candidate=need, reason=Feedback.Reason.TERMS, by=users["univ"])
    assert ranked(need)[0] != seed.pk


def test_refresh_stores_ranked_matches_with_reasons(tech_set):
    rows = matches.refresh(tech_set["need"])
    assert [m.rank for m in rows] == list(range(1, len(rows) + 1))
    assert rows[0].candidate_id == tech_set["seed"].pk and rows[0].reasons


def test_refresh_all_covers_every_live_listing_and_expires_old_ones(tech_set):
    old = tech_set["other_seed"]
    Listing.objects.filter(pk=old.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=3))
    n = matches.refresh_all()
    assert n == 4
    old.refresh_from_db()
    assert old.status == Listing.Status.EXPIRED
    assert tech_set["need"].matches.first().candidate_id == tech_set["seed"].pk


def test_saving_a_listing_refreshes_its_suggestions_and_the_other_sides(tech_set, django_capture_on_commit_callbacks):
    need = tech_set["need"]
    with django_capture_on_commit_callbacks(execute=True):
        seed = make_listing(Kind.SEED, "超親水コーティングによるカメラレンズの曇り止め",
                            "車載カメラのレンズの曇り止め。耐熱・耐久コーティング。", tech_area="automotive")
    assert seed.matches.filter(candidate=need).exists()
    assert need.matches.filter(candidate=seed).exists()
    with django_capture_on_commit_callbacks(execute=True):
        seed.status = Listing.Status.PENDING  # withdrawn for changes: it leaves the others' suggestions
        seed.save()
    assert not need.matches.filter(candidate=seed).exists()
    assert not seed.matches.exists()


def test_one_generic_shared_word_is_not_a_suggestion(tech_set):
    far = make_listing(Kind.SEED, "次世代ディスプレイの駆動回路技術", "電子ペーパー向けの低消費電力の回路。")
    assert far.pk not in ranked(tech_set["need"])  # shares only 「技術」 with the need
