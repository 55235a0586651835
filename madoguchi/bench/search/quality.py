"""Evaluate rankers on judged questions and format the figures.

A ranker is a plain function question -> ranked ids (organization slugs for the own set,
document ids for BEIR), so madoguchi and the baselines are measured by the same code.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TextIO

from madoguchi.bench.search.metrics import hit_at_k, mean, mrr, ndcg_at_k, recall_at_k

Ranker = Callable[[str], list[str]]
K = 10


@dataclass(frozen=True)
class Judged:
    """A question with graded judgements (what both the own set and BEIR reduce to)."""

    id: str
    query: str
    relevant: Mapping[str, int]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryOutcome:
    id: str
    query: str
    ndcg: float
    top: list[str]


@dataclass
class SystemScores:
    ndcg: float = 0.0
    recall: float = 0.0
    mrr: float = 0.0
    hit3: float = 0.0
    per_tag: dict[str, float] = field(default_factory=dict)
    per_query: list[QueryOutcome] = field(default_factory=list)


def evaluate(
    queries: Sequence[Judged],
    rankers: Mapping[str, Ranker],
    *,
    progress: TextIO | None = None,
) -> dict[str, SystemScores]:
    """Run every ranker on every question; return the mean metrics per system and per tag."""
    out: dict[str, SystemScores] = {}
    for name, ranker in rankers.items():
        ndcgs, recalls, mrrs, hits = [], [], [], []
        by_tag: dict[str, list[float]] = defaultdict(list)
        per_query: list[QueryOutcome] = []
        for i, q in enumerate(queries, start=1):
            if progress is not None and (i % 25 == 0 or i == len(queries)):
                progress.write(f"\r{name}: {i}/{len(queries)} 問")
                progress.flush()
            ranked = ranker(q.query)[:K]
            n = ndcg_at_k(ranked, q.relevant, K)
            ndcgs.append(n)
            recalls.append(recall_at_k(ranked, q.relevant, K))
            mrrs.append(mrr(ranked, q.relevant, K))
            hits.append(hit_at_k(ranked, q.relevant, 3))
            for tag in q.tags:
                by_tag[tag].append(n)
            per_query.append(QueryOutcome(q.id, q.query, round(n, 4), ranked[:3]))
        if progress is not None:
            progress.write("\n")
        out[name] = SystemScores(
            ndcg=mean(ndcgs), recall=mean(recalls), mrr=mean(mrrs), hit3=mean(hits),
            per_tag={t: mean(v) for t, v in sorted(by_tag.items())}, per_query=per_query,
        )
    return out


def summary_lines(results: Mapping[str, SystemScores], *, with_hit: bool) -> list[str]:
    """Return one line per system: `<system> nDCG@10 0.000 recall@10 0.000 MRR@10 0.000 [hit@3 0.000]`."""
    lines = []
    for name, s in results.items():
        line = f"{name} nDCG@10 {s.ndcg:.3f} recall@10 {s.recall:.3f} MRR@10 {s.mrr:.3f}"
        if with_hit:
            line += f" hit@3 {s.hit3:.3f}"
        lines.append(line)
    return lines


def report_tags(queries: Iterable[Judged]) -> list[str]:
    """Return the tags worth a row in the breakdown: functions, stages, then styles, in order."""
    seen: dict[str, int] = defaultdict(int)
    for q in queries:
        for t in q.tags:
            seen[t] += 1
    order = ("function:", "stage:", "field:")
    grouped = [sorted(t for t in seen if t.startswith(p)) for p in order]
    rest = sorted(t for t in seen if not t.startswith(order))
    return [t for group in grouped for t in group] + rest


def tag_table(results: Mapping[str, SystemScores], tags: Sequence[str], counts: Mapping[str, int]) -> str:
    """Return a plain-text table of nDCG@10 per tag (rows) and system (columns)."""
    systems = list(results)
    width = max([len(t) for t in tags] + [10])
    head = f"{'nDCG@10 by tag':<{width}} {'n':>4} " + " ".join(f"{s:>12}" for s in systems)
    rows = [head, "-" * len(head)]
    for t in tags:
        cells = " ".join(f"{results[s].per_tag.get(t, 0.0):>12.3f}" for s in systems)
        rows.append(f"{t:<{width}} {counts.get(t, 0):>4} {cells}")
    return "\n".join(rows)


def worst_table(scores: SystemScores, queries: Sequence[Judged], n: int) -> str:
    """Return the n questions with the lowest nDCG@10: the question, its score, the top three
    returned and the best-graded expected ids, so whoever tunes the ranking sees what to fix."""
    expected = {q.id: sorted(q.relevant, key=lambda d: -q.relevant[d])[:2] for q in queries}
    worst = sorted(scores.per_query, key=lambda r: (r.ndcg, r.id))[:n]
    lines = [f"nDCG@10 が低い質問（{len(worst)} 問）"]
    for r in worst:
        lines.append(f"{r.ndcg:.3f} {r.id} {r.query}")
        lines.append(f"      返した: {', '.join(r.top) or '（なし）'} / 期待: {', '.join(expected[r.id])}")
    return "\n".join(lines)


def tag_counts(queries: Iterable[Judged]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for q in queries:
        for t in q.tags:
            counts[t] += 1
    return dict(counts)


def as_json(results: Mapping[str, SystemScores], *, with_per_query: bool = False) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, s in results.items():
        entry: dict[str, object] = {
            "ndcg@10": round(s.ndcg, 4), "recall@10": round(s.recall, 4), "mrr@10": round(s.mrr, 4),
            "hit@3": round(s.hit3, 4), "by_tag": {t: round(v, 4) for t, v in s.per_tag.items()},
        }
        if with_per_query:
            entry["queries"] = [asdict(r) for r in s.per_query]
        out[name] = entry
    return out


_COLOURS = ("#0017c1", "#d16d00", "#259d63", "#6f23d0")


def chart_svg(
    results: Mapping[str, SystemScores], tags: Sequence[str], counts: Mapping[str, int] | None = None, *, min_count: int = 3
) -> str:
    """Return a small grouped bar chart (SVG) of nDCG@10 per tag and system, plus the overall bar.

    Tags with fewer than `min_count` questions are left out: one question is not a figure.
    """
    systems = list(results)
    if counts is not None:
        tags = [t for t in tags if counts.get(t, 0) >= min_count]
    rows = ["(all)", *tags]
    bar_h, gap, label_w, plot_w = 9, 8, 190, 420
    group_h = bar_h * len(systems) + gap
    height = 40 + group_h * len(rows) + 20 * len(systems)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 60}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        '<title>nDCG@10 by tag</title>',
        '<text x="4" y="16" font-size="13">nDCG@10</text>',
    ]
    for i in range(0, 11, 2):
        x = label_w + plot_w * i / 10
        parts.append(f'<line x1="{x}" y1="24" x2="{x}" y2="{30 + group_h * len(rows)}" stroke="#ddd"/>')
        parts.append(f'<text x="{x - 6}" y="22" fill="#666">{i / 10:.1f}</text>')
    for r, tag in enumerate(rows):
        y0 = 30 + r * group_h
        parts.append(f'<text x="4" y="{y0 + group_h / 2 + 3}">{html.escape(tag)}</text>')
        for s_i, system in enumerate(systems):
            s = results[system]
            value = s.ndcg if tag == "(all)" else s.per_tag.get(tag, 0.0)
            parts.append(
                f'<rect x="{label_w}" y="{y0 + s_i * bar_h}" width="{plot_w * value:.1f}" height="{bar_h - 1}" '
                f'fill="{_COLOURS[s_i % len(_COLOURS)]}"><title>{html.escape(system)} {html.escape(tag)} '
                f'{value:.3f}</title></rect>'
            )
    legend_y = 40 + group_h * len(rows)
    for s_i, system in enumerate(systems):
        y = legend_y + 16 * s_i
        parts.append(f'<rect x="{label_w}" y="{y - 9}" width="10" height="10" fill="{_COLOURS[s_i % len(_COLOURS)]}"/>')
        parts.append(f'<text x="{label_w + 14}" y="{y}">{html.escape(system)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"

