"""The speed benchmark: one fresh process per system, pinned to one core.

The parent (`run`) starts `python -m madoguchi.bench.search.speed --system S ...` for each
system so that peak memory (ru_maxrss) is that system's alone; each child generates the same
documents (same seed), builds its index, times the questions and prints one JSON line.

madoguchi is timed through the full search_corpus() call — question analysis, facet
recognition, boosts, ranking and reasons — with the query-analysis caches emptied before
every call, so a cycled question is never answered from a cache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from madoguchi.bench.child import run_child

# Before numpy/scipy load: one thread each, so "one core" means one core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

SYSTEMS = ("madoguchi", "bm25s", "fts5")
WARMUP = 20


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """Return the p-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        return 0.0
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def threaded(ask: Callable[[str], object], questions: Sequence[str], n: int, threads: int,
             clear: Callable[[], None] = lambda: None) -> dict[str, float]:
    """Ask n questions from `threads` threads at once; return throughput (q/s) and latencies (ms)."""
    times: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(threads)

    def run(k: int) -> None:
        start.wait()
        for i in range(k, n, threads):
            clear()
            t = time.perf_counter()
            try:
                ask(questions[i % len(questions)])
            except Exception as exc:  # counted, not raised: the figure says how many failed
                errors.append(repr(exc))
            times.append((time.perf_counter() - t) * 1000)

    workers = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    return {"threads": threads, "qps": round(n / wall, 1), "p50_ms": round(percentile(times, 50), 3),
            "p95_ms": round(percentile(times, 95), 3), "errors": len(errors)}


def pin_one_core() -> None:
    """Run on a single CPU (the last one allowed), where the platform supports it."""
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})


def _clear_query_caches() -> None:
    """Empty the per-question caches of the analysis (the data-file caches stay)."""
    from madoguchi.search import analysis, reasons

    for module in (analysis, reasons):
        for obj in vars(module).values():
            info = getattr(obj, "cache_info", None)
            if info is not None and info().maxsize not in (None, 1):
                obj.cache_clear()


def _timed(items: Iterator[Any], clock: list[float]) -> Iterator[Any]:
    """Yield from `items`, adding the wall and CPU time spent producing them to clock[0], clock[1]."""
    while True:
        t, c = time.perf_counter(), time.process_time()
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            clock[0] += time.perf_counter() - t
            clock[1] += time.process_time() - c
        yield item


def _log(progress: TextIO, system: str, message: str) -> None:
    progress.write(f"[{system}] {message}\n")
    progress.flush()


def measure(system: str, n_docs: int, n_queries: int, seed: int, progress: TextIO, threads: int = 1) -> dict[str, Any]:
    """Build one system over n generated documents and time n_queries questions; return figures."""
    from madoguchi.bench.search.generate import generate
    from madoguchi.bench.search.judged import load_judged

    questions = [q.query for q in load_judged()]
    gen_clock = [0.0, 0.0]  # wall, CPU seconds spent generating streamed documents
    t0 = time.perf_counter()
    docs: Any
    if system == "madoguchi":
        from madoguchi.search.corpus import DocMeta

        # A generator: the build takes each document as it is made and keeps only its terms
        # and metadata, as `live.build_main` does with database rows. The time spent making the
        # documents is counted apart (gen_s) and left out of build_s, as for the baselines.
        _log(progress, system, f"{n_docs} 文書を生成しながら索引を作成")
        docs = _timed(
            (DocMeta(id=g.id, kind=g.kind, title=g.title, text=g.text, organization=g.organization,
                     functions=g.functions, stages=g.stages, fields=g.fields, municipalities=g.municipalities)
             for g in generate(n_docs, seed=seed)),
            gen_clock,
        )
    else:
        # The baselines take a list: bm25s tokenises a list, and both are measured as their
        # documentation shows them being used.
        _log(progress, system, f"{n_docs} 文書を生成中")
        docs = [(g.id, f"{g.title}\n{g.text}") for g in generate(n_docs, seed=seed)]
    gen_s = time.perf_counter() - t0
    rss_before = current_rss_mb()
    if system != "madoguchi":
        _log(progress, system, f"生成 {gen_s:.1f} 秒、索引を作成中")

    step = max(n_docs // 10, 1000)

    def show(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            _log(progress, system, f"解析 {done}/{total}")

    t0, c0 = time.perf_counter(), time.process_time()
    ask: Callable[[str], object]
    if system == "madoguchi":
        from madoguchi.search.corpus import build_corpus_index
        from madoguchi.search.engine import search_corpus

        corpus = build_corpus_index(docs, progress=show, total=n_docs)

        def ask(q: str) -> object:
            return search_corpus(corpus, q, limit=10)

    elif system == "bm25s":
        from madoguchi.bench.search.baselines import BM25Bigram

        bm25 = BM25Bigram(docs)

        def ask(q: str) -> object:
            return bm25.search(q, 10)

    elif system == "fts5":
        from madoguchi.bench.search.baselines import FTS5Trigram

        fts = FTS5Trigram(docs)

        def ask(q: str) -> object:
            return fts.search(q, 10)

    else:
        raise ValueError(f"unknown system {system!r}")
    build_s, build_cpu_s = time.perf_counter() - t0 - gen_clock[0], time.process_time() - c0 - gen_clock[1]
    gen_s += gen_clock[0]
    del docs
    _log(progress, system, f"索引 {build_s:.1f} 秒、{n_queries} 問を計測中")

    clear = _clear_query_caches if system == "madoguchi" else (lambda: None)
    for q in questions[:WARMUP]:
        clear()
        ask(q)
    times: list[float] = []
    cpu_times: list[float] = []
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    for i in range(n_queries):
        q = questions[i % len(questions)]
        clear()
        t, c = time.perf_counter(), time.thread_time()
        ask(q)
        # Wall time is what a user waits; CPU time is what the code costs when other
        # processes share the core (the two differ on a busy machine).
        cpu_times.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    figures: dict[str, Any] = {}
    if system == "madoguchi" and threads > 1:
        # The threaded server's case: the same questions from T threads at once, on the same core.
        _log(progress, system, f"{threads} スレッドで {n_queries} 問を計測中")
        figures["threaded"] = threaded(ask, questions, n_queries, threads, clear)
    return {
        **figures, "qps": round(n_queries / (sum(times) / 1000), 1) if times else 0.0,
        "system": system, "docs": n_docs, "queries": n_queries,
        "p50_ms": round(percentile(times, 50), 3), "p95_ms": round(percentile(times, 95), 3),
        "p99_ms": round(percentile(times, 99), 3), "build_s": round(build_s, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1), "gen_s": round(gen_s, 2), "rss_before_build_mb": round(rss_before, 1),
        "cpu_p50_ms": round(percentile(cpu_times, 50), 3), "cpu_p95_ms": round(percentile(cpu_times, 95), 3),
        "cpu_p99_ms": round(percentile(cpu_times, 99), 3), "build_cpu_s": round(build_cpu_s, 2),
        "load_avg": round(max(load_before, os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0), 2),
    }


def run(
    n_docs: int,
    *,
    n_queries: int = 1000,
    seed: int = 2005,
    systems: Sequence[str] = SYSTEMS,
    progress: TextIO = sys.stderr,
    threads: int = 4,
) -> dict[str, dict[str, Any]]:
    """Measure each system in its own child process; return {system: figures}.

    Raises RuntimeError with the child's error output when a child fails.
    """
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[var] = "1"
    out: dict[str, dict[str, Any]] = {}
    for system in systems:
        cmd = [sys.executable, "-m", "madoguchi.bench.search.speed", "--system", system,
               "--docs", str(n_docs), "--queries", str(n_queries), "--seed", str(seed), "--threads", str(threads)]
        out[system] = run_child(cmd, env, progress, f"{system} の計測に失敗しました / {system} failed:")
    return out


PUBLIC_KEYS = ("p50_ms", "p95_ms", "p99_ms", "build_s", "peak_rss_mb")


def public_json(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return exactly the object the issue names: {system: {p50_ms, p95_ms, p99_ms, build_s, peak_rss_mb}}."""
    return {system: {k: figures[k] for k in PUBLIC_KEYS} for system, figures in results.items()}


def table(results: dict[str, dict[str, Any]]) -> str:
    """Return wall-clock figures, then the CPU-time ones and the machine's load while measuring."""
    head = (
        f"{'system':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'build s':>8} {'peak MB':>8} | "
        f"{'cpu p50':>8} {'cpu p95':>8} {'cpu p99':>8} {'build cpu s':>11} {'MB pre-build':>12} {'load':>5}"
    )
    rows = [head, "-" * len(head)]
    for system, f in results.items():
        rows.append(
            f"{system:<10} {f['p50_ms']:>8.2f} {f['p95_ms']:>8.2f} {f['p99_ms']:>8.2f} {f['build_s']:>8.1f} "
            f"{f['peak_rss_mb']:>8.0f} | {f['cpu_p50_ms']:>8.2f} {f['cpu_p95_ms']:>8.2f} {f['cpu_p99_ms']:>8.2f} "
            f"{f['build_cpu_s']:>11.1f} {f['rss_before_build_mb']:>12.0f} {f['load_avg']:>5.1f}"
        )
    for system, f in results.items():
        if "threaded" in f:
            t = f["threaded"]
            rows.append(
                f"{system}: 1 thread {f['qps']:.0f} q/s | {t['threads']} threads at once {t['qps']:.0f} q/s, "
                f"p50 {t['p50_ms']:.2f} ms, p95 {t['p95_ms']:.2f} ms, errors {t['errors']} (same core: the GIL shares it)"
            )
    return "\n".join(rows)


# The targets, by corpus size: p95 in ms, build in s, peak memory in MB (None: no target).
TARGETS = {100_000: {"p95_ms": 10.0, "build_s": 60.0, "peak_rss_mb": None},
           1_000_000: {"p95_ms": 50.0, "build_s": None, "peak_rss_mb": 2048.0}}
_COLOURS = ("#0017c1", "#d16d00", "#259d63", "#6f23d0")


def chart_svg(results: dict[str, dict[str, Any]], n_docs: int) -> str:
    """Return an SVG of three panels — latency p50/p95/p99 (log scale), build time, peak memory —
    one bar per system, with the issue's target drawn as a red line where it names one for N."""
    import html
    import math

    systems = list(results)
    targets = TARGETS.get(n_docs, {})
    label_w, plot_w, bar_h = 150, 380, 12
    panels: list[tuple[str, list[tuple[str, str]], bool]] = [
        ("検索時間 ms（対数目盛）/ latency ms (log)", [("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms")], True),
        ("索引作成 秒 / build s", [("build", "build_s")], False),
        ("最大メモリ MB / peak RSS MB", [("peak", "peak_rss_mb")], False),
    ]
    parts: list[str] = []
    y = 30
    for title, rows, log in panels:
        values = [results[s][key] for s in systems for _l, key in rows]
        target, target_label = next(((targets[key], label) for label, key in rows if targets.get(key)), (None, ""))
        top = max(values + ([target] if target else [])) * 1.1 or 1.0
        lo = min(v for v in values if v > 0) / 2 if log and any(v > 0 for v in values) else 0.0

        def x_of(v: float, *, log: bool = log, lo: float = lo, top: float = top) -> float:
            if log:
                return plot_w * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(top) - math.log10(lo))
            return plot_w * v / top

        parts.append(f'<text x="4" y="{y}" font-size="13">{html.escape(title)}</text>')
        y += 8
        for label, key in rows:
            for s_i, system in enumerate(systems):
                v = results[system][key]
                parts.append(f'<text x="4" y="{y + bar_h - 2}">{html.escape(f"{system} {label}")}</text>')
                parts.append(
                    f'<rect x="{label_w}" y="{y}" width="{x_of(v):.1f}" height="{bar_h - 2}" '
                    f'fill="{_COLOURS[s_i % len(_COLOURS)]}"><title>{html.escape(system)} {label} {v}</title></rect>'
                )
                parts.append(f'<text x="{label_w + x_of(v) + 4:.1f}" y="{y + bar_h - 2}" fill="#333">{v:g}</text>')
                y += bar_h
            y += 4
        if target:
            x = label_w + x_of(target)
            parts.append(f'<line x1="{x:.1f}" y1="{y - 4 - bar_h * len(systems) * len(rows) - 4 * len(rows)}" '
                         f'x2="{x:.1f}" y2="{y}" stroke="#ec0000" stroke-dasharray="4 2"/>')
            parts.append(f'<text x="{x + 3:.1f}" y="{y + 10}" fill="#ec0000">{target_label} 目標 / target {target:g}</text>')
            y += 12
        y += 22
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 90}" height="{y}" '
            'font-family="sans-serif" font-size="11">'
            f'<title>search-speed, {n_docs} documents</title>')
    return "\n".join([head, *parts, "</svg>"]) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One system of `madoguchi bench search-speed` (child process).")
    parser.add_argument("--system", choices=SYSTEMS, required=True)
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2005)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    import django

    django.setup()
    pin_one_core()
    figures = measure(args.system, args.docs, args.queries, args.seed, sys.stderr, args.threads)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
