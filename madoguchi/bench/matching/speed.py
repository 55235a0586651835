"""Matching speed at national scale: N generated listings, top-20 suggestions for Q of them.

Listings are generated deterministically (fixed seed) from a realistic vocabulary: the terms
Sudachi produces for the judged benchmark listings, extended with compound technical terms
built from the same morphemes, drawn with a Zipf distribution so a few terms (技術, 加工,
開発) are in a large share of listings, as in real text. Terms are generated already analysed:
analysis cost is paid once per listing on save, not per suggestion, so it is not part of a
suggestion's latency.

Reported: pool build time, per-suggestion latency (p50/p95/p99, with reasons, one core),
the nightly batch extrapolated (build + N × mean latency; the database writes of the Match rows
are not included), peak RSS, and bm25s answering the same queries over the same pools (plain
text ranking: no constraints, no structured scoring, no reasons).
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from madoguchi.bench.matching import quality
from madoguchi.matching import candidate_pool, ranker
from madoguchi.matching.models import Kind, TechArea

KIND_SHARE = {
    Kind.SEED: 0.14, Kind.NEED: 0.14, Kind.PATENT: 0.06, Kind.INVESTOR: 0.03, Kind.FUNDING: 0.07,
    Kind.ORDER: 0.15, Kind.SUPPLIER: 0.15, Kind.JOB_OFFER: 0.12, Kind.JOB_SEEKER: 0.14,
}
FIELDS = list(quality.FIELD_NAMES)
STAGES = list(quality.STAGE_NAMES)
TECH = list(TechArea.values)
PROCESSES = ["切削", "研削", "研磨", "プレス", "溶接", "めっき", "アルマイト", "塗装", "粉体塗装", "熱処理", "浸炭", "焼入れ",
             "射出成形", "金型製作", "金型設計", "ワイヤー放電加工", "ダイカスト", "鋳造", "鍛造", "基板実装", "はんだ付け",
             "ハーネス加工", "圧着", "3Dプリンタ", "試作", "缶詰", "レトルト", "組立", "検査", "組込みソフト開発"]
CERTS = ["ISO9001", "ISO14001", "IATF16949", "HACCP", "JISQ9100", "ISO13485"]
SKILLS = ["C言語", "RTOS", "組込み", "Python", "Django", "機械学習", "統計", "HACCP", "品質管理", "介護福祉士", "介護",
          "機械設計", "3D CAD", "成膜", "エッチング", "英語", "中国語", "海外営業", "NC旋盤", "マシニング", "経理", "簿記",
          "生産技術", "ライン改善", "工場管理", "水産加工", "Java", "電気設計", "PLC", "溶接技能"]
PLACES = ["青葉区", "宮城野区", "若林区", "太白区", "泉区", "石巻市", "塩竈市", "気仙沼市", "白石市", "名取市", "角田市", "多賀城市",
          "岩沼市", "登米市", "栗原市", "東松島市", "大崎市", "富谷市", "大和町", "大郷町", "大衡村", "亘理町", "山元町", "松島町",
          "七ヶ浜町", "利府町", "色麻町", "加美町", "涌谷町", "美里町", "女川町", "南三陸町", "蔵王町", "大河原町", "村田町", "柴田町",
          "川崎町", "丸森町", "七ヶ宿町", "七ヶ浜町"]


def _vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """Real analysed terms first (most frequent ranks), then compounds of them up to `size`."""
    base: list[str] = []
    seen = set()
    for d in quality.load_docs():
        for t in d.terms:
            if t not in seen:
                seen.add(t)
                base.append(t)
    words = [t for t in base if ":" not in t]
    vocab = list(base)
    while len(vocab) < size:
        a, b = rng.choice(len(words), 2)
        term = words[a] + words[b]
        if term not in seen:
            seen.add(term)
            vocab.append(term)
    return vocab


def generate(n: int, seed: int) -> list[candidate_pool.Doc]:
    """N listings as engine Docs, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(60_000, rng)
    kinds = list(KIND_SHARE)
    kind_idx = rng.choice(len(kinds), size=n, p=np.array(list(KIND_SHARE.values())) / sum(KIND_SHARE.values()))
    lengths = np.clip(rng.poisson(48, size=n), 8, 200)
    # Zipf over vocabulary ranks (s≈1.05), truncated to the vocabulary
    ranks = rng.zipf(1.05, size=int(lengths.sum()) * 2)
    ranks = ranks[ranks <= len(vocab)][: int(lengths.sum())] - 1
    if len(ranks) < lengths.sum():  # vanishingly unlikely; keep it deterministic anyway
        ranks = np.concatenate([ranks, rng.integers(0, len(vocab), int(lengths.sum()) - len(ranks))])
    # shuffle rank→term so the frequent ranks are not always the first benchmark listing's words
    perm = rng.permutation(len(vocab))
    tokens = np.array(vocab, dtype=object)[perm][ranks]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    fields_frozen = [frozenset({f}) for f in FIELDS] + [frozenset({a, b}) for a in FIELDS for b in FIELDS if a < b]
    stage_sets = [frozenset({s}) for s in STAGES] + [frozenset(STAGES[i : i + 2]) for i in range(len(STAGES) - 1)]
    today = quality.TODAY
    docs = []
    r_field = rng.integers(0, len(fields_frozen), n)
    r_tech = rng.integers(0, len(TECH), n)
    r_place = rng.integers(0, len(PLACES), n)
    r_stage = rng.integers(0, len(stage_sets), n)
    r_amount = rng.lognormal(7.5, 1.2, n).astype(int) + 50
    r_width = rng.integers(1, 10, n)
    r_exp = rng.integers(-20, 360, n)
    r_proc = rng.integers(0, len(PROCESSES), (n, 3))
    r_cert = rng.integers(0, len(CERTS), n)
    r_skill = rng.integers(0, len(SKILLS), (n, 3))
    for i in range(n):
        kind = kinds[kind_idx[i]]
        place = PLACES[r_place[i]]
        city = "仙台市" if place in quality.SENDAI_WARDS else place
        d = candidate_pool.Doc(
            id=i, kind=kind, terms=list(tokens[offsets[i] : offsets[i + 1]]), owner=i,
            fields=fields_frozen[r_field[i]], tech_area=TECH[r_tech[i]], municipality=place, city=city,  # type: ignore[arg-type]  # the set's ids are codes, not pks: the ranker only compares them
            areas=frozenset({"sendai_hokubu"}) if city in quality.SENDAI_HOKUBU else frozenset(),  # type: ignore[arg-type]  # the set's ids are codes, not pks: the ranker only compares them
            expires=today + int(r_exp[i]),
        )
        if kind == Kind.FUNDING:
            d.stages, d.amount_min, d.amount_max = stage_sets[r_stage[i]], int(r_amount[i]), int(r_amount[i])
        elif kind == Kind.INVESTOR:
            d.stages = stage_sets[r_stage[i]]
            d.amount_min, d.amount_max = int(r_amount[i] // r_width[i]), int(r_amount[i] * r_width[i])
        elif kind in (Kind.ORDER, Kind.SUPPLIER):
            d.processes = frozenset(PROCESSES[j] for j in r_proc[i][: 1 + i % 3])
            d.certifications = frozenset({CERTS[r_cert[i]]}) if i % 2 else frozenset()
            if kind == Kind.ORDER:
                d.deadline = today + int(r_exp[i]) // 2
        elif kind in (Kind.JOB_OFFER, Kind.JOB_SEEKER):
            d.skills = frozenset(SKILLS[j] for j in r_skill[i][: 1 + i % 3])
        docs.append(d)
    return docs


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pool_mb(pool: candidate_pool.Pool) -> float:
    total = 0
    for m in (pool.weights, pool.fields, pool.stages, pool.areas, pool.procs, pool.certs, pool.skill_m):
        total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
    for a in (pool.idf, pool.amount_min, pool.amount_max, pool.expires, pool.deadline, pool.owner, pool.tech, pool.muni, pool.city):
        total += a.nbytes
    return total / 2**20


def _pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values) * 1000, p))


def run(n: int, queries: int, seed: int, with_bm25s: bool, out: Callable[[str], Any],
        pin_core: int | None = None) -> dict[str, float]:
    # The engine is single-threaded (numpy/scipy element-wise work, no BLAS), so it uses one core
    # whether pinned or not; pinning is optional because a shared host's core 0 may be the busiest.
    if pin_core is not None:
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setaffinity(0, {pin_core})
    out(f"掲載 {n:,} 件を生成中（seed={seed}）…")
    t0 = time.perf_counter()
    docs = generate(n, seed)
    out(f"  生成 {time.perf_counter() - t0:.1f} 秒、RSS {_rss_mb():,.0f} MB")
    groups: dict[tuple[str, ...], list[candidate_pool.Doc]] = {}
    for kind in KIND_SHARE:
        groups.setdefault(tuple(sorted(candidate_pool.COMPLEMENT[kind])), [])
    for d in docs:
        for g, members in groups.items():
            if d.kind in g:
                members.append(d)
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    pools = {g: candidate_pool.build_pool(members, quality.labels()) for g, members in groups.items()}
    build_s = time.perf_counter() - t0
    gc.collect()
    pool_mb = sum(_pool_mb(p) for p in pools.values())
    out(f"  索引の構築 {build_s:.1f} 秒（{len(pools)} プール、行列と配列 {pool_mb:,.0f} MB、RSS +{_rss_mb() - rss_before:,.0f} MB）")
    rng = np.random.default_rng(seed + 1)
    sample = [docs[i] for i in rng.choice(n, size=min(queries, n), replace=False)]
    times: list[float] = []
    cpu: list[float] = []
    found = 0
    for d in sample:
        pool = pools[tuple(sorted(candidate_pool.COMPLEMENT[d.kind]))]
        t, c = time.perf_counter(), time.thread_time()
        got = ranker.suggest(pool, d, k=20, today=quality.TODAY)
        times.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        found += len(got)
    mean = float(np.mean(times))
    nightly = build_s + mean * n
    out(f"上位20件の候補（理由つき）× {len(sample):,} 件: p50 {_pct(times, 50):.1f} ms、p95 {_pct(times, 95):.1f} ms、"
        f"p99 {_pct(times, 99):.1f} ms、平均 {mean * 1000:.1f} ms（平均 {found / len(sample):.1f} 件）")
    # CPU time of this thread: what the figure would be on an idle core (the host is shared)
    out(f"  同じ計測の CPU 時間: p50 {_pct(cpu, 50):.1f} ms、p95 {_pct(cpu, 95):.1f} ms、p99 {_pct(cpu, 99):.1f} ms")
    nightly_cpu = build_s + float(np.mean(cpu)) * n
    out(f"毎晩のバッチ（全 {n:,} 件、1 コア）の見積もり: {nightly / 60:,.1f} 分（構築 {build_s:.0f} 秒 + {n:,} × 平均）、"
        f"CPU 時間で {nightly_cpu / 60:,.1f} 分。Match 行の書き込みは含まない")
    result = {"n": n, "build_s": build_s, "p50_ms": _pct(times, 50), "p95_ms": _pct(times, 95), "p99_ms": _pct(times, 99),
              "nightly_min": nightly / 60, "pool_mb": pool_mb, "cpu_p95_ms": _pct(cpu, 95)}
    if with_bm25s:
        import bm25s

        t0 = time.perf_counter()
        retrievers = {}
        for g, members in groups.items():
            r = bm25s.BM25()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                r.index([list(m.terms) for m in members], show_progress=False)
            retrievers[g] = r
        b_build = time.perf_counter() - t0
        b_times: list[float] = []
        b_cpu: list[float] = []
        for d in sample:
            r = retrievers[tuple(sorted(candidate_pool.COMPLEMENT[d.kind]))]
            t, c = time.perf_counter(), time.thread_time()
            with contextlib.redirect_stderr(io.StringIO()):
                r.retrieve([list(d.terms)], k=20, show_progress=False, n_threads=0)
            b_times.append(time.perf_counter() - t)
            b_cpu.append(time.thread_time() - c)
        out(f"bm25s（同じ語・同じプール、本文のみ・制約なし・理由なし）: 構築 {b_build:.1f} 秒、"
            f"p50 {_pct(b_times, 50):.1f} ms、p95 {_pct(b_times, 95):.1f} ms、p99 {_pct(b_times, 99):.1f} ms"
            f"（CPU 時間 p95 {_pct(b_cpu, 95):.1f} ms）")
        result.update({"bm25s_build_s": b_build, "bm25s_p95_ms": _pct(b_times, 95)})
    out(f"ピークメモリ（RSS、生成データ・bm25s を含むプロセス全体）: {_peak_mb():,.0f} MB")
    result["peak_mb"] = _peak_mb()
    return result
