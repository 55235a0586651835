"""`madoguchi bench programs [--programs N] [--postgres]`: the catalog at scale, beside plain bm25s.

Runs `main()` in a child process on a throw-away database (SQLite in a temporary VAR_DIR, or with
--postgres a temporary PostgreSQL database created and dropped on the server of DATABASE_URL or
127.0.0.1), never the configured one:

1. writes an N-row CSV of realistic programs (catalog.synthetic, calls around today) and imports
   it with `import_programs` — rows/s (target ≥ 2,000);
2. indexes them (`rebuild_all` + the main corpus) and asks Q questions through the same `search()`
   as the page, each with `open` + a random municipality as `area` — p50/p95 (target p95 ≤ 20 ms);
3. in the same process, plain bm25s (character bigrams, no filters) over the same names and
   descriptions, and bm25s + the filters applied to its top 1,000 — p50/p95 and build time;
4. peak memory: of the process that imports and indexes, and of a second, fresh process that
   loads the built index and answers the questions (what a web process holds).

Progress lines go to stderr, the figures to stdout (one JSON line from the child; a table or JSON
from the command).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from madoguchi.bench.child import run_child

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

IMPORT_TARGET = 2000.0
P95_TARGET_MS = 20.0
POST_FILTER_DEPTH = 1000


def _log(progress: TextIO, message: str) -> None:
    progress.write(f"[programs] {message}\n")
    progress.flush()


def questions(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(question, area code) pairs: themes, types and places as people ask them."""
    from madoguchi.catalog import areas
    from madoguchi.catalog.synthetic import THEMES

    rng = random.Random(seed)
    codes = sorted(c for c, g in areas.registry().items() if not g.is_prefecture)
    forms = ["{t}の補助金", "{t}", "{t}に使える融資", "{t}の相談をしたい", "{t}の助成金を探している"]
    return [(rng.choice(forms).format(t=rng.choice(THEMES)), rng.choice(codes)) for _ in range(n)]


def _timings(ask: Callable[[str, str], object], qs: Sequence[tuple[str, str]]) -> dict[str, float]:
    from madoguchi.bench.search.speed import percentile

    for q, code in qs[:20]:  # warm-up
        ask(q, code)
    times = []
    for q, code in qs:
        t = time.perf_counter()
        ask(q, code)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2)}


def prepare(n: int, progress: TextIO) -> dict[str, Any]:
    """Import n generated programs and build the index (left in VAR_DIR for the search phase)."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from madoguchi.bench.search.speed import peak_rss_mb
    from madoguchi.catalog.importer import import_programs
    from madoguchi.catalog.synthetic import write_csv
    from madoguchi.search import service as engine
    from madoguchi.search.documents import rebuild_all

    out: dict[str, Any] = {"programs": n, "database": connection.vendor}
    _log(progress, f"データベースを準備中（{connection.vendor}）")
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="madoguchi-bench-programs-") as tmp:
        path = write_csv(Path(tmp) / "programs.csv", n, today=timezone.localdate())
        _log(progress, f"{n:,} 行の CSV を取り込み中")
        step = max(n // 10, 1)
        seen = [0]

        def show(done: int, total: int) -> None:
            if done - seen[0] >= step or done == total:
                seen[0] = done
                _log(progress, f"取り込み {done:,}/{total:,}")

        t0 = time.perf_counter()
        report = import_programs(path, "bench", progress=show)
        import_s = time.perf_counter() - t0
    if not report.ok:
        raise RuntimeError(report.summary())
    out["import_s"] = round(import_s, 1)
    out["import_rows_per_s"] = round(n / import_s, 0)
    _log(progress, f"取り込み {import_s:.1f} 秒（{n / import_s:,.0f} 行/秒）。索引を作成中")
    t0 = time.perf_counter()
    rebuild_all()
    engine._corpus = None
    engine.current_corpus()
    out["index_s"] = round(time.perf_counter() - t0, 1)
    out["peak_rss_import_index_mb"] = round(peak_rss_mb(), 0)
    _log(progress, f"索引 {out['index_s']:.1f} 秒")
    return out


def search_phase(n_queries: int, progress: TextIO) -> dict[str, Any]:
    """In a fresh process: load the index as a web process does, then time the questions."""
    from madoguchi.bench.search.speed import current_rss_mb, peak_rss_mb
    from madoguchi.catalog.filters import ProgramFilters
    from madoguchi.search import service as engine

    out: dict[str, Any] = {"queries": n_queries}
    t0 = time.perf_counter()
    engine.current_corpus()
    out["load_s"] = round(time.perf_counter() - t0, 1)
    out["rss_after_load_mb"] = round(current_rss_mb(), 0)
    qs = questions(n_queries)
    _log(progress, f"新しいプロセスで索引を読み込み {out['load_s']:.1f} 秒。open + area で {n_queries} 問を計測中")
    found = []

    def ask(q: str, code: str) -> object:
        response = engine.search(q, programs=ProgramFilters(open=True, area=code), limit=10)
        found.append(len(response.results))
        return response

    out["madoguchi"] = _timings(ask, qs)
    out["madoguchi"]["mean_results"] = round(sum(found) / max(len(found), 1), 1)

    def ask_plain(q: str, code: str) -> object:
        return engine.search(q, limit=10)

    out["madoguchi_no_filters"] = _timings(ask_plain, qs)
    out["peak_rss_search_mb"] = round(peak_rss_mb(), 0)  # before bm25s is built in the same process
    out["bm25s"], out["bm25s_post_filter"] = _bm25s(qs, progress)
    return out


def _bm25s(qs: Sequence[tuple[str, str]], progress: TextIO) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plain bm25s over the programs' names and descriptions, and bm25s + the filters on its top 1,000."""
    from django.utils import timezone

    from madoguchi.bench.search.baselines import BM25Bigram
    from madoguchi.bench.search.speed import current_rss_mb
    from madoguchi.catalog import areas
    from madoguchi.catalog.models import CatalogEntry
    from madoguchi.catalog.querysets import open_rounds

    _log(progress, "bm25s の索引を作成中（同じ制度の名称・概要）")
    rows = list(CatalogEntry.objects.values_list("program__slug", "program__name", "program__description", "area_codes"))
    docs = [(slug, f"{name}\n{text}") for slug, name, text, _codes in rows]
    open_now = set(open_rounds(timezone.now()).values_list("entry__program__slug", flat=True))
    codes_of = {slug: set(codes.split()) for slug, _n, _t, codes in rows}
    rss0 = current_rss_mb()
    t0 = time.perf_counter()
    bm25 = BM25Bigram(docs)
    build_s = time.perf_counter() - t0
    plain = _timings(lambda q, code: bm25.search(q, 10), qs)
    plain.update(build_s=round(build_s, 1), rss_mb=round(current_rss_mb() - rss0, 0))

    def filtered(q: str, code: str) -> list[str]:
        wanted = set(areas.ancestors(code))
        hits = bm25.search(q, POST_FILTER_DEPTH)
        return [s for s, _ in hits if s in open_now and (not codes_of[s] or codes_of[s] & wanted)][:10]

    _log(progress, "bm25s を計測中")
    return plain, _timings(filtered, qs)


def run(n: int, *, n_queries: int = 500, postgres: bool = False, progress: TextIO = sys.stderr) -> dict[str, Any]:
    """Run `main` in a child on a temporary database; return its figures (RuntimeError if it fails)."""
    with tempfile.TemporaryDirectory(prefix="madoguchi-bench-programs-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # never the real database
        env.update(VAR_DIR=tmp, DJANGO_SETTINGS_MODULE="madoguchi.settings")
        dropper = None
        if postgres:
            env["DATABASE_URL"], dropper = _temporary_postgres()
        try:
            figures = _child(["--phase", "prepare", "--programs", str(n)], env, progress)
            figures.update(_child(["--phase", "search", "--queries", str(n_queries)], env, progress))
        finally:
            if dropper is not None:
                dropper()
    return figures


def _child(args: list[str], env: dict[str, str], progress: TextIO) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "madoguchi.bench.catalog.programs", *args]
    return run_child(cmd, env, progress, "制度の計測に失敗しました / the programs benchmark failed:",
                     relay=lambda line: line.startswith("["))


def _temporary_postgres() -> tuple[str, Callable[[], None]]:
    """A new empty database on the PostgreSQL server of DATABASE_URL (or 127.0.0.1), and its dropper."""
    import dj_database_url
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    conf = dj_database_url.parse(base) if base.startswith("postgres") else {
        "HOST": "127.0.0.1", "PORT": 5432, "USER": "postgres", "PASSWORD": ""}
    name = f"madoguchi_bench_programs_{os.getpid()}"
    params: dict[str, Any] = {"host": conf.get("HOST") or "127.0.0.1", "port": conf.get("PORT") or 5432,
              "user": conf.get("USER") or "postgres", "password": conf.get("PASSWORD") or None, "dbname": "postgres"}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    url = f"postgres://{auth}@{params['host']}:{params['port']}/{name}"

    def drop() -> None:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def table(f: dict[str, Any]) -> str:
    def ok(good: bool) -> str:
        return "✓" if good else "✗"

    m, p, b, bf = f["madoguchi"], f["madoguchi_no_filters"], f["bm25s"], f["bm25s_post_filter"]
    return "\n".join([
        f"{f['programs']:,} 制度、{f['queries']} 問、{f['database']}（一時データベース。取り込み・索引のプロセスと、索引を読み込んで検索するプロセスは別。bm25s は検索と同じプロセス）",
        f"import: {f['import_rows_per_s']:,.0f} rows/s ({f['import_s']:.1f} s)  target ≥ {IMPORT_TARGET:,.0f} "
        f"{ok(f['import_rows_per_s'] >= IMPORT_TARGET)}",
        f"index (rebuild + corpus): {f['index_s']:.1f} s",
        f"{'':<34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
        f"{'madoguchi, open + area':<34} {m['p50_ms']:>8.2f} {m['p95_ms']:>8.2f} {m['p99_ms']:>8.2f}  "
        f"target p95 ≤ {P95_TARGET_MS:g} {ok(m['p95_ms'] <= P95_TARGET_MS)}  ({m['mean_results']} results/question)",
        f"{'madoguchi, no filters':<34} {p['p50_ms']:>8.2f} {p['p95_ms']:>8.2f} {p['p99_ms']:>8.2f}",
        f"{'bm25s bigrams, no filters':<34} {b['p50_ms']:>8.2f} {b['p95_ms']:>8.2f} {b['p99_ms']:>8.2f}  "
        f"(build {b['build_s']:.1f} s, +{b['rss_mb']:.0f} MB)",
        f"{'bm25s top 1,000 + open + area':<34} {bf['p50_ms']:>8.2f} {bf['p95_ms']:>8.2f} {bf['p99_ms']:>8.2f}",
        f"peak memory: searching process {f['peak_rss_search_mb']:,.0f} MB (index loaded in {f['load_s']:.1f} s, "
        f"{f['rss_after_load_mb']:,.0f} MB); import + index process {f['peak_rss_import_index_mb']:,.0f} MB",
    ])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="`madoguchi bench programs` (child process).")
    parser.add_argument("--phase", choices=("prepare", "search"), required=True)
    parser.add_argument("--programs", type=int, default=0)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args(argv)
    import django

    django.setup()
    from madoguchi.bench.search.speed import pin_one_core

    pin_one_core()
    figures = prepare(args.programs, sys.stderr) if args.phase == "prepare" else search_phase(args.queries, sys.stderr)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
