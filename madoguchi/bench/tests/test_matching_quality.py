"""The judged benchmark sets are well-formed, and the engine keeps its promises on them."""

from __future__ import annotations

import pytest

from madoguchi.bench.matching import quality
from madoguchi.matching import candidate_pool, ranker
from madoguchi.matching.candidate_pool import COMPLEMENT


def test_judged_pairs_cover_the_four_pairings_and_only_pair_complementary_kinds():
    docs = {d.id: d for d in quality.load_docs()}
    pairs = list(quality._rows("judgments.psv"))
    assert len({tuple(sorted((a, b))) for a, b, _g in pairs}) >= 200
    for a, b, _g in pairs:
        assert docs[b].kind in COMPLEMENT[docs[a].kind], (a, b)
    assert {quality.PAIRING[docs[a].kind] for a, _b, _g in pairs} == {
        "ニーズ↔シーズ・特許", "資金調達↔投資・融資", "発注↔受注", "求人↔求職"}


def test_held_out_pairs_name_known_listings_and_institutions_of_complementary_kinds():
    where = quality.SETS["heldout"]
    supply = {d.id: d for d in quality.load_docs(where) + quality.load_institutions(where)}
    pairs = quality._rows("judgments.psv", where)
    assert len(pairs) >= 60
    for a, b, _g in pairs:
        assert supply[b].kind in COMPLEMENT[supply[a].kind], (a, b)


def test_engine_beats_plain_bm25_overall_and_on_money():
    report = quality.run("team")
    eng_p5, eng_ndcg = report.scores["engine"]["全体"].mean()
    base_p5, base_ndcg = report.scores["bm25"]["全体"].mean()
    assert eng_ndcg > base_ndcg and eng_p5 >= base_p5
    # stage and amount are what text alone cannot see
    assert report.scores["engine"]["資金調達↔投資・融資"].mean()[1] > report.scores["bm25"]["資金調達↔投資・融資"].mean()[1]


@pytest.mark.parametrize("name", list(quality.SETS))
def test_no_empty_list_where_a_judged_fit_shares_a_specific_word(name):
    where = quality.SETS[name]
    docs = quality.load_docs(where)
    supply = {d.id: d for d in docs + quality.load_institutions(where)}
    judged = quality.load_judgments(where)
    checked = 0
    for d in docs:
        fits = [supply[c] for c, g in judged.get(d.id, {}).items() if g >= 1]
        pool = candidate_pool.build_pool([x for x in supply.values() if x.kind in COMPLEMENT[d.kind]])
        own = set(d.terms) | set(d.extra_terms)
        if any(pool.term_cls[pool.vocab[t]] == 0 for f in fits for t in set(f.terms) & own):
            checked += 1
            assert ranker.suggest(pool, d, today=quality.TODAY, reasons=False), d.id
    assert checked >= 40
