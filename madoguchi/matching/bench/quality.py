"""Matching quality on the team's judged pairs: precision@5 and nDCG@10, engine vs plain BM25.

The listings (data/listings.psv) and judgments (data/judgments.psv) are plain files. Every
listing with at least one pair judged ≥1 is a query, answered from all listings of the
complementary kinds. Pairs not judged count as not relevant (the usual pooled-judgment rule).

The baseline is plain BM25 (the bm25s library) over the same analysed terms and the same
candidate pool (complementary kinds only), with no structured constraints or bonuses, so the
difference measured is what the engine adds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from madoguchi.matching import engine, text
from madoguchi.matching.models import Kind, TechArea

DATA = Path(__file__).resolve().parent / "data"
TODAY = dt.date(2026, 4, 1).toordinal()

PAIRING = {
    Kind.NEED: "ニーズ↔シーズ・特許", Kind.SEED: "ニーズ↔シーズ・特許", Kind.PATENT: "ニーズ↔シーズ・特許",
    Kind.FUNDING: "資金調達↔投資・融資", Kind.INVESTOR: "資金調達↔投資・融資",
    Kind.ORDER: "発注↔受注", Kind.SUPPLIER: "発注↔受注",
    Kind.JOB_OFFER: "求人↔求職", Kind.JOB_SEEKER: "求人↔求職",
}
SENDAI_WARDS = {"青葉区", "宮城野区", "若林区", "太白区", "泉区"}
SENDAI_HOKUBU = {"仙台市", "大和町", "大郷町", "富谷市", "大衡村"}
FIELD_NAMES = {"food": "食", "barrier_free": "バリアフリー", "environment": "環境", "it": "IT", "monozukuri": "ものづくり",
               "medical_welfare": "医療・福祉", "nanotech_materials": "ナノテク・材料", "semiconductor": "半導体・電子デバイス",
               "automotive": "自動車", "photonics": "光", "other": "その他"}
STAGE_NAMES = {"pre_startup": "創業準備", "startup": "創業期", "growth": "成長期", "mature": "成熟期・第二創業",
               "new_field": "新分野進出"}


def _rows(name: str) -> list[list[str]]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("|"))
    return out


def _list(value: str) -> list[str]:
    return [x for x in value.split(";") if x]


def load_docs() -> list[engine.Doc]:
    """The benchmark listings as engine Docs (ids are the file's ids, e.g. N01)."""
    docs = []
    for row in _rows("listings.psv"):
        lid, kind, title, desc, fields, tech, stages, amin, amax, place, procs, certs, skills = row
        ns = SimpleNamespace(title=title, description=desc, material="", use_of_funds="", processes=_list(procs),
                             equipment=[], certifications=_list(certs), skills=_list(skills))
        city = "仙台市" if place in SENDAI_WARDS else (place or None)
        docs.append(engine.Doc(
            id=lid, kind=kind, terms=text.listing_terms(ns), owner=lid,
            fields=frozenset(_list(fields)), stages=frozenset(_list(stages)), tech_area=tech,
            amount_min=int(amin) if amin else None, amount_max=int(amax) if amax else None,
            municipality=place or None, city=city,
            areas=frozenset({"sendai_hokubu"}) if city in SENDAI_HOKUBU else frozenset(),
            processes=frozenset(_list(procs)), certifications=frozenset(_list(certs)), skills=frozenset(_list(skills)),
        ))
    return docs


def load_judgments() -> dict[str, dict[str, int]]:
    """query id → {candidate id: grade}, both directions."""
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    for a, b, grade in _rows("judgments.psv"):
        judged[a][b] = int(grade)
        judged[b][a] = int(grade)
    return judged


def labels() -> engine.Labels:
    return engine.Labels(fields=FIELD_NAMES, stages=STAGE_NAMES,  # type: ignore[arg-type]
                         municipalities={}, areas={"sendai_hokubu": "仙台北部地域"},
                         tech_areas={str(k): str(v) for k, v in TechArea.choices})


def precision_at(ranked: list[str], grades: dict[str, int], k: int) -> float:
    return sum(1 for x in ranked[:k] if grades.get(x, 0) >= 1) / k


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int) -> float:
    dcg = sum((2 ** grades.get(x, 0) - 1) / math.log2(i + 2) for i, x in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


@dataclass
class Scores:
    p5: list[float] = field(default_factory=list)
    ndcg10: list[float] = field(default_factory=list)

    def add(self, ranked: list[str], grades: dict[str, int]) -> None:
        self.p5.append(precision_at(ranked, grades, 5))
        self.ndcg10.append(ndcg_at(ranked, grades, 10))

    def mean(self) -> tuple[float, float]:
        return float(np.mean(self.p5)) if self.p5 else 0.0, float(np.mean(self.ndcg10)) if self.ndcg10 else 0.0


@dataclass
class QualityReport:
    pairs: int
    queries: int
    engine: dict[str, Scores]
    baseline: dict[str, Scores]
    ideal_p5: dict[str, Scores]
    examples: list[tuple[str, str, list[str]]]


def run() -> QualityReport:
    import bm25s

    docs = load_docs()
    by_id = {d.id: d for d in docs}
    judged = load_judgments()
    pools: dict[tuple[str, ...], engine.Pool] = {}
    baselines: dict[tuple[str, ...], tuple[Any, list[str]]] = {}
    eng: dict[str, Scores] = defaultdict(Scores)
    base: dict[str, Scores] = defaultdict(Scores)
    ideal: dict[str, Scores] = defaultdict(Scores)
    examples = []
    queries = 0
    for d in docs:
        grades = judged.get(d.id, {})
        if not any(g >= 1 for g in grades.values()):
            continue
        queries += 1
        group = tuple(sorted(engine.COMPLEMENT[d.kind]))
        if group not in pools:
            members = [x for x in docs if x.kind in group]
            pools[group] = engine.build_pool(members, labels())
            retriever = bm25s.BM25()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):  # bm25s chatter
                retriever.index([list(x.terms) for x in members], show_progress=False)
            baselines[group] = (retriever, [x.id for x in members])
        ranked = [s.id for s in engine.suggest(pools[group], d, k=10, today=TODAY, reasons=False)]
        retriever, ids = baselines[group]
        k = min(10, len(ids))
        res, sc = retriever.retrieve([list(d.terms)], k=k, show_progress=False)
        base_ranked = [ids[i] for i, s in zip(res[0], sc[0]) if s > 0]
        pairing = PAIRING[d.kind]
        for key in (pairing, "全体"):
            eng[key].add(ranked, grades)
            base[key].add(base_ranked, grades)
            ideal[key].add(sorted(grades, key=lambda x: -grades[x]), grades)
        if len(examples) < 4 and d.kind in (Kind.NEED, Kind.FUNDING, Kind.ORDER, Kind.JOB_OFFER) and d.id.endswith("01"):
            top = engine.suggest(pools[group], d, k=1, today=TODAY)
            if top:
                examples.append((d.id, str(top[0].id), top[0].reasons))
    n_pairs = len({tuple(sorted((a, b))) for a, b, _g in _rows("judgments.psv")})
    assert all(a in by_id and b in by_id for a, b, _g in _rows("judgments.psv")), "judgment names an unknown listing"
    return QualityReport(n_pairs, queries, dict(eng), dict(base), dict(ideal), examples)


def format_report(r: QualityReport) -> str:
    lines = [f"判定済みペア {r.pairs} 組、クエリ {r.queries} 件（分析: {text.analyzer_name()}）", "",
             f"{'組み合わせ':<16} {'n':>3}  {'P@5 engine':>10} {'P@5 BM25':>9} {'(上限)':>7}  {'nDCG@10 engine':>14} {'nDCG@10 BM25':>12}"]
    order = ["ニーズ↔シーズ・特許", "資金調達↔投資・融資", "発注↔受注", "求人↔求職", "全体"]
    for key in order:
        if key not in r.engine:
            continue
        ep, en = r.engine[key].mean()
        bp, bn = r.baseline[key].mean()
        ip, _ = r.ideal_p5[key].mean()
        lines.append(f"{key:<16} {len(r.engine[key].p5):>3}  {ep:>10.3f} {bp:>9.3f} {ip:>7.3f}  {en:>14.3f} {bn:>12.3f}")
    lines.append("")
    lines.append("(上限) = 判定で関連ありのペアが全部上位に来たときの P@5（関連が 5 件未満のクエリでは 1 にならない）")
    for q, top, reasons in r.examples:
        lines.append(f"例: {q} → {top}: {' / '.join(reasons)}")
    return "\n".join(lines)
