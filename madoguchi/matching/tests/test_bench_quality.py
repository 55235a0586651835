"""The judged benchmark set is well-formed and the engine is not worse than plain BM25 on it."""

from __future__ import annotations

from madoguchi.matching.bench import quality
from madoguchi.matching.engine import COMPLEMENT


def test_judged_pairs_cover_the_four_pairings_and_only_pair_complementary_kinds():
    docs = {d.id: d for d in quality.load_docs()}
    pairs = [r for r in quality._rows("judgments.psv")]
    assert len({tuple(sorted((a, b))) for a, b, _g in pairs}) >= 200
    for a, b, _g in pairs:
        assert docs[b].kind in COMPLEMENT[docs[a].kind], (a, b)
    assert {quality.PAIRING[docs[a].kind] for a, _b, _g in pairs} == {
        "ニーズ↔シーズ・特許", "資金調達↔投資・融資", "発注↔受注", "求人↔求職"}


def test_engine_beats_plain_bm25_overall_and_on_money():
    report = quality.run()
    eng_p5, eng_ndcg = report.engine["全体"].mean()
    base_p5, base_ndcg = report.baseline["全体"].mean()
    assert eng_ndcg > base_ndcg and eng_p5 >= base_p5
    # stage and amount are what text alone cannot see
    assert report.engine["資金調達↔投資・融資"].mean()[1] > report.baseline["資金調達↔投資・融資"].mean()[1]
