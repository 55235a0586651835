"""Search throughput from several threads, and with saves arriving meanwhile.

`threaded()` times questions asked from T threads at once (the threaded server's case; the
speed benchmark prints it beside the single-thread figures).

`madoguchi bench search-speed --docs N --writes-per-s W` runs `main()` in a child process on a
throw-away SQLite database in a temporary VAR_DIR (never the configured database): N generated
documents stored as search documents, plus a few real organizations that a writer thread saves
W times a second through the ORM (signals → documents → change log), while T reader threads
call the same `search()` as the page. It measures the readers' throughput for S seconds without
writes and S seconds with them, in the same process, in alternating slices of SLICE_S seconds (so
a change in the machine's load falls on both alike), and prints one JSON line. Throughput is given
per wall second and per CPU second of the process: the second does not move when other processes
share the core, so its ratio is the cost of the writes themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from madoguchi.bench.child import run_child

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

WRITER_RECORDS = 20
SLICE_S = 5.0


def _fill(n_docs: int, seed: int, progress: TextIO) -> list[Any]:
    """Store n generated documents and WRITER_RECORDS real organizations; return the organizations."""
    from django.core.management import call_command

    from madoguchi.bench.search.generate import generate
    from madoguchi.directory.models import Organization
    from madoguchi.search.corpus import DocMeta
    from madoguchi.search.dirty import document_row as _row
    from madoguchi.search.models import IndexVersion, SearchChange, SearchDocument

    call_command("migrate", verbosity=0)
    batch = []
    for i, g in enumerate(generate(n_docs, seed=seed)):
        doc = DocMeta(id=g.id, kind=g.kind, title=g.title, text=g.text, organization=g.organization,
                      functions=g.functions, stages=g.stages, fields=g.fields, municipalities=g.municipalities)
        batch.append(_row(doc, f"bench-{i}"))
        if len(batch) >= 2000:
            SearchDocument.objects.bulk_create(batch)
            batch = []
            progress.write(f"[writes] 解析・保存 {i + 1}/{n_docs}\n")
    SearchDocument.objects.bulk_create(batch)
    orgs = [Organization.objects.create(
        slug=f"bench-writer-{i}", name=f"ベンチ産業支援センター{i}", kind=Organization.Kind.SUPPORT,
        description="中小企業の技術相談と販路開拓を支援する") for i in range(WRITER_RECORDS)]
    SearchChange.objects.all().delete()
    IndexVersion.bump()  # the stored documents are one generation, as after `reindex`
    return orgs


class _Tally:
    def __init__(self) -> None:
        self.times: list[float] = []
        self.errors: list[str] = []
        self.writes = 0
        self.wall = 0.0
        self.cpu = 0.0

    def figures(self) -> dict[str, Any]:
        from madoguchi.bench.search.speed import percentile

        return {"qps": round(len(self.times) / self.wall, 1), "q_per_cpu_s": round(len(self.times) / self.cpu, 1),
                "p50_ms": round(percentile(self.times, 50), 3), "p95_ms": round(percentile(self.times, 95), 3),
                "p99_ms": round(percentile(self.times, 99), 3), "writes": self.writes, "errors": len(self.errors)}


def _phase(seconds: float, threads: int, writes_per_s: float, questions: Sequence[str], orgs: list[Any], tally: _Tally) -> None:
    from django.db import connection

    from madoguchi.search.service import search

    stop = time.monotonic() + seconds
    times, errors = tally.times, tally.errors
    writes = [tally.writes]

    def reader(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            t = time.perf_counter()
            try:
                search(questions[i % len(questions)])
            except Exception as exc:
                errors.append(repr(exc))
            times.append((time.perf_counter() - t) * 1000)
            i += threads
        connection.close()

    def writer() -> None:
        due = time.monotonic()
        while time.monotonic() < stop:
            org = orgs[writes[0] % len(orgs)]
            org.description = f"中小企業の技術相談と販路開拓を支援する。改訂{writes[0]}では試作と評価も行う"
            org.save()  # autocommit: the change is committed and logged here
            writes[0] += 1
            due += 1 / writes_per_s
            time.sleep(max(0.0, due - time.monotonic()))
        connection.close()

    workers = [threading.Thread(target=reader, args=(k,)) for k in range(threads)]
    if writes_per_s > 0:
        workers.append(threading.Thread(target=writer))
    t0, c0 = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    tally.wall += time.perf_counter() - t0
    tally.cpu += time.process_time() - c0
    tally.writes = writes[0]


def measure(n_docs: int, writes_per_s: float, seconds: float, threads: int, seed: int, progress: TextIO) -> dict[str, Any]:
    from madoguchi.bench.search.judged import load_judged
    from madoguchi.search import live
    from madoguchi.search import service as engine
    from madoguchi.search.models import IndexVersion

    questions = [q.query for q in load_judged()]
    orgs = _fill(n_docs, seed, progress)
    state = IndexVersion.state()
    t0 = time.perf_counter()
    live.main_corpus(state[:2], state[3])
    build_s = time.perf_counter() - t0  # what a merge costs the one process that runs it
    for q in questions[:20]:
        engine.search(q)
    progress.write(f"[writes] 索引 {build_s:.1f} 秒、保存なし・毎秒 {writes_per_s:g} 件の保存ありを交互に各 {seconds:.0f} 秒計測中\n")
    without, with_writes = _Tally(), _Tally()
    slices = max(1, round(seconds / SLICE_S))
    for _ in range(slices):
        _phase(seconds / slices, threads, 0, questions, orgs, without)
        _phase(seconds / slices, threads, writes_per_s, questions, orgs, with_writes)
    after_save = []
    for i in range(5):  # the search that applies a save's change
        orgs[i].save()
        t = time.perf_counter()
        engine.search(questions[i])
        after_save.append((time.perf_counter() - t) * 1000)
    current = engine.current_corpus()
    return {
        "docs": n_docs, "threads": threads, "writes_per_s": writes_per_s, "seconds": seconds,
        "main_build_s": round(build_s, 2), "without_writes": without.figures(), "with_writes": with_writes.figures(),
        "ratio": round(with_writes.figures()["qps"] / without.figures()["qps"], 3),
        "ratio_cpu": round(with_writes.figures()["q_per_cpu_s"] / without.figures()["q_per_cpu_s"], 3),
        "search_after_save_ms": round(sorted(after_save)[2], 2),
        "delta_docs": len(getattr(current, "docs", {})),
    }


def run(n_docs: int, writes_per_s: float, *, seconds: float = 30.0, threads: int = 4, seed: int = 2005,
        progress: TextIO = sys.stderr) -> dict[str, Any]:
    """Run `main` in a child on a temporary database; return its figures (RuntimeError if it fails)."""
    with tempfile.TemporaryDirectory(prefix="madoguchi-bench-writes-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # never the real database
        env.update(VAR_DIR=tmp, DJANGO_SETTINGS_MODULE="madoguchi.settings")
        cmd = [sys.executable, "-m", "madoguchi.bench.search.live_speed", "--docs", str(n_docs),
               "--writes-per-s", str(writes_per_s), "--seconds", str(seconds), "--threads", str(threads), "--seed", str(seed)]
        return run_child(cmd, env, progress, "書き込みありの計測に失敗しました / the writes benchmark failed:",
                         relay=lambda line: line.startswith("["))


def table(f: dict[str, Any]) -> str:
    a, b = f["without_writes"], f["with_writes"]
    return "\n".join([
        f"{f['docs']} 文書、読み手 {f['threads']} スレッド、各 {f['seconds']:g} 秒、1 コア（同じプロセスで続けて計測）",
        f"{'':<22} {'q/s':>8} {'q/cpu-s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'saves':>6} {'errors':>6}",
        *(f"{label:<22} {x['qps']:>8.1f} {x['q_per_cpu_s']:>8.1f} {x['p50_ms']:>8.2f} {x['p95_ms']:>8.2f} {x['p99_ms']:>8.2f} "
          f"{x['writes']:>6} {x['errors']:>6}"
          for label, x in (("without writes", a), (f"with {f['writes_per_s']:g} save/s", b))),
        f"throughput with writes / without: {f['ratio']:.3f}× per wall second, {f['ratio_cpu']:.3f}× per CPU second"
        f"  (target ≥ 0.8×)",
        f"search right after a save (applies its change): {f['search_after_save_ms']:.2f} ms; "
        f"delta at the end: {f['delta_docs']} documents; a merge rebuilds the main index in {f['main_build_s']:.1f} s "
        f"(one process, in the background, every SEARCH_DELTA_MERGE_AT changed documents)",
    ])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="`madoguchi bench search-speed --writes-per-s` (child process).")
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--writes-per-s", type=float, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2005)
    args = parser.parse_args(argv)
    import django

    django.setup()
    from madoguchi.bench.search.speed import pin_one_core

    pin_one_core()
    figures = measure(args.docs, args.writes_per_s, args.seconds, args.threads, args.seed, sys.stderr)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
