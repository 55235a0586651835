"""Matching quality on judged pairs: precision@5 and nDCG@10 of the engine, plain BM25 and the
previous engine version, on two sets:

- ``team`` (data/): the team's listings and judgments. Tuning happens here only.
- ``heldout`` (heldout/): needs, orders and funding requests written in the style of Miyagi
  companies, supplies with company-form boilerplate, registry institutions, judged by reading the
  whole supply — written and committed before the engine was tuned, never tuned on.
- ``heldout2`` (heldout2/): colloquial requests against formal patent-style and boilerplate-heavy
  supply, written after tuning had ended. One change was made after seeing its results (single
  kanji are no longer generic: 牛, 膝 emptied lists); README gives the figures before and after.

Every listing with at least one pair judged ≥1 is a query, answered from all listings (and, for
the held-out set, registry institutions) of the complementary kinds. Pairs not judged count as not
relevant (the usual pooled-judgment rule). All three systems rank the same candidate pool.

The baseline is plain BM25 (the bm25s library) over the same analysed terms, with no structured
constraints or bonuses. The previous engine (bench/engine_v1.py, frozen) is the scoring before
issue #16: two shared words required, no synonyms, company-form words counted.
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

from madoguchi.bench.matching import engine_v1
from madoguchi.matching import candidate_pool, ranker, text
from madoguchi.matching.models import Kind, TechArea

DATA = Path(__file__).resolve().parent / "data"
SETS = {"team": DATA, "heldout": Path(__file__).resolve().parent / "heldout",
        "heldout2": Path(__file__).resolve().parent / "heldout2"}
TODAY = dt.date(2026, 4, 1).toordinal()

PAIRING: dict[str, str] = {  # Kind members are their str codes
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
SYSTEMS = ("engine", "bm25", "previous")


def _rows(name: str, where: Path = DATA) -> list[list[str]]:
    out: list[list[str]] = []
    path = where / name
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("|"))
    return out


def _list(value: str) -> list[str]:
    return [x for x in value.split(";") if x]


def _place(place: str) -> tuple[str | None, str | None, frozenset[str]]:
    city = "仙台市" if place in SENDAI_WARDS else (place or None)
    return place or None, city, frozenset({"sendai_hokubu"}) if city in SENDAI_HOKUBU else frozenset()


def load_institutions(where: Path = DATA) -> list[candidate_pool.Doc]:
    """Registry institutions of a set (institutions.psv), as the suggestions module builds them."""
    docs = []
    for iid, name, _org_kind, functions, desc, place in _rows("institutions.psv", where):
        kind = candidate_pool.ORG_FINANCE if "finance" in functions.split(";") else candidate_pool.ORG_TECH
        muni, city, areas = _place(place)
        docs.append(candidate_pool.Doc(id=iid, kind=kind, terms=text.analyze(f"{name}\n{desc}"), owner=iid,
                               municipality=muni, city=city, areas=areas, always=kind == candidate_pool.ORG_FINANCE))  # type: ignore[arg-type]  # the set's ids are codes, not pks: the ranker only compares them
    return docs


def load_docs(where: Path = DATA) -> list[candidate_pool.Doc]:
    """The benchmark listings as engine Docs (ids are the file's ids, e.g. N01)."""
    docs = []
    for row in _rows("listings.psv", where):
        lid, kind, title, desc, fields, tech, stages, amin, amax, place, procs, certs, skills = row
        ns = SimpleNamespace(title=title, description=desc, material="", use_of_funds="", processes=_list(procs),
                             equipment=[], certifications=_list(certs), skills=_list(skills))
        city = "仙台市" if place in SENDAI_WARDS else (place or None)
        docs.append(candidate_pool.Doc(
            id=lid, kind=kind, terms=text.listing_terms(ns), owner=lid, extra_terms=text.synonym_terms(text.listing_text(ns)),
            fields=frozenset(_list(fields)), stages=frozenset(_list(stages)), tech_area=tech,  # type: ignore[arg-type]  # the set's ids are codes, not pks: the ranker only compares them
            amount_min=int(amin) if amin else None, amount_max=int(amax) if amax else None,
            municipality=place or None, city=city,  # type: ignore[arg-type]  # the set's ids are codes, not pks: the ranker only compares them
            areas=frozenset({"sendai_hokubu"}) if city in SENDAI_HOKUBU else frozenset(),  # type: ignore[arg-type]  # the set's ids are codes, not pks: the ranker only compares them
            processes=frozenset(_list(procs)), certifications=frozenset(_list(certs)), skills=frozenset(_list(skills)),
        ))
    return docs


def load_judgments(where: Path = DATA) -> dict[str, dict[str, int]]:
    """query id → {candidate id: grade}, both directions."""
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    for a, b, grade in _rows("judgments.psv", where):
        judged[a][b] = int(grade)
        judged[b][a] = int(grade)
    return judged


def labels() -> candidate_pool.Labels:
    return candidate_pool.Labels(fields=FIELD_NAMES, stages=STAGE_NAMES,  # type: ignore[arg-type]  # the set's ids are codes, not pks: the ranker only compares them
                         municipalities={}, areas={"sendai_hokubu": "仙台北部地域"},  # type: ignore[dict-item]  # codes, as above
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
    name: str
    pairs: int
    queries: int
    scores: dict[str, dict[str, Scores]]  # system → pairing → scores
    ideal_p5: dict[str, Scores]
    empty: dict[str, int]  # system → queries with a judged fit that got an empty list
    examples: list[tuple[str, str, list[str]]]


def run(name: str = "team") -> QualityReport:
    import bm25s

    where = SETS[name]
    docs = load_docs(where)
    supply = docs + load_institutions(where)
    by_id = {d.id: d for d in supply}
    judged = load_judgments(where)
    pools: dict[tuple[str, ...], tuple[candidate_pool.Pool, Any, Any, list[str]]] = {}
    scores: dict[str, dict[str, Scores]] = {s: defaultdict(Scores) for s in SYSTEMS}
    ideal: dict[str, Scores] = defaultdict(Scores)
    empty = dict.fromkeys(SYSTEMS, 0)
    examples: list[tuple[str, str, list[str]]] = []
    queries = 0
    for d in docs:
        grades = judged.get(d.id, {})
        if not any(g >= 1 for g in grades.values()):
            continue
        queries += 1
        group = tuple(sorted(candidate_pool.COMPLEMENT[d.kind]))
        if group not in pools:
            members = [x for x in supply if x.kind in group]
            retriever = bm25s.BM25()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):  # bm25s chatter
                retriever.index([list(x.terms) for x in members], show_progress=False)
            pools[group] = (candidate_pool.build_pool(members, labels()), engine_v1.build_pool(members, labels()),  # type: ignore[arg-type]  # engine_v1 reads the attributes it knows of today's Doc and Labels
                            retriever, [x.id for x in members])
        pool, old_pool, retriever, ids = pools[group]
        res, sc = retriever.retrieve([list(d.terms)], k=min(10, len(ids)), show_progress=False)
        ranked = {
            "engine": [s.id for s in ranker.suggest(pool, d, k=10, today=TODAY, reasons=False)],
            "bm25": [ids[i] for i, s in zip(res[0], sc[0], strict=True) if s > 0],
            "previous": [s.id for s in engine_v1.suggest(old_pool, d, k=10, today=TODAY, reasons=False)],  # type: ignore[arg-type]  # engine_v1 reads the attributes it knows of today's Doc and Labels
        }
        for system, got in ranked.items():
            for key in (PAIRING[d.kind], "全体"):
                scores[system][key].add(got, grades)
            if not got:
                empty[system] += 1
        for key in (PAIRING[d.kind], "全体"):
            ideal[key].add(sorted(grades, key=lambda x: -grades[x]), grades)
        if len(examples) < 4 and d.kind in (Kind.NEED, Kind.FUNDING, Kind.ORDER, Kind.JOB_OFFER) and d.id.endswith("01"):
            top = ranker.suggest(pool, d, k=1, today=TODAY)
            if top:
                examples.append((d.id, str(top[0].id), top[0].reasons))
    rows = _rows("judgments.psv", where)
    assert all(a in by_id and b in by_id for a, b, _g in rows), "judgment names an unknown listing"
    n_pairs = len({tuple(sorted((a, b))) for a, b, _g in rows})
    return QualityReport(name, n_pairs, queries, {k: dict(v) for k, v in scores.items()}, dict(ideal), empty, examples)


SET_TITLES = {"team": "チームの判定セット（調整に使う）", "heldout": "保留セット（調整前に作成・判定、調整に使わない）",
              "heldout2": "保留セット2（調整の終了後に作成・判定。一字の語の扱いだけはこのセットの結果を見て直した）"}


def format_report(r: QualityReport) -> str:
    lines = [f"{SET_TITLES.get(r.name, r.name)}: 判定済みペア {r.pairs} 組、クエリ {r.queries} 件（分析: {text.analyzer_name()}）", "",
             f"{'組み合わせ':<16} {'n':>3}  {'P@5 engine':>10} {'BM25':>6} {'旧版':>6} {'(上限)':>7}  "
             f"{'nDCG@10 engine':>14} {'BM25':>6} {'旧版':>6}"]
    order = ["ニーズ↔シーズ・特許", "資金調達↔投資・融資", "発注↔受注", "求人↔求職", "全体"]
    for key in order:
        if key not in r.scores["engine"]:
            continue
        (ep, en), (bp, bn), (op, on) = (r.scores[s][key].mean() for s in SYSTEMS)
        ip, _ = r.ideal_p5[key].mean()
        lines.append(f"{key:<16} {len(r.scores['engine'][key].p5):>3}  {ep:>10.3f} {bp:>6.3f} {op:>6.3f} {ip:>7.3f}  "
                     f"{en:>14.3f} {bn:>6.3f} {on:>6.3f}")
    lines.append("")
    lines.append("空の候補一覧（判定で合う相手があるのに 0 件）: " + "、".join(
        f"{label} {r.empty[s]} 件" for s, label in zip(SYSTEMS, ("engine", "BM25", "旧版"), strict=True)))
    lines.append("(上限) = 判定で関連ありのペアが全部上位に来たときの P@5（関連が 5 件未満のクエリでは 1 にならない）")
    for q, top, reasons in r.examples:
        lines.append(f"例: {q} → {top}: {' / '.join(reasons)}")
    return "\n".join(lines)


def calibration(shares: tuple[float, ...] = (0.0, 0.03, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3)) -> str:
    """What each REL_THRESHOLD keeps in the top 20 on the team set (never the held-out set):
    judged fits, judged misfits, unjudged candidates. The threshold is the largest share that keeps
    98 % of the fits kept at 0."""
    docs = load_docs(DATA)
    judged = load_judgments(DATA)
    pools: dict[tuple[str, ...], candidate_pool.Pool] = {}
    saved = ranker.REL_THRESHOLD
    lines = ["share  judged fits  judged misfits  unjudged"]
    try:
        for share in shares:
            ranker.REL_THRESHOLD = share
            fits = misfits = unjudged = 0
            for d in docs:
                grades = judged.get(d.id, {})
                if not any(g >= 1 for g in grades.values()):
                    continue
                group = tuple(sorted(candidate_pool.COMPLEMENT[d.kind]))
                if group not in pools:
                    pools[group] = candidate_pool.build_pool([x for x in docs if x.kind in group], labels())
                for s in ranker.suggest(pools[group], d, k=20, today=TODAY, reasons=False):
                    g = grades.get(s.id)
                    fits += g is not None and g >= 1
                    misfits += g == 0
                    unjudged += g is None
            mark = "  ← REL_THRESHOLD" if share == saved else ""
            lines.append(f"{share:>5.2f}  {fits:>11}  {misfits:>14}  {unjudged:>8}{mark}")
    finally:
        ranker.REL_THRESHOLD = saved
    return "\n".join(lines)
