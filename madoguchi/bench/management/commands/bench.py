"""`madoguchi bench search-quality [--beir DIR]`, `bench search-speed --docs N`, `bench programs`, `bench http`.

Figures are printed for people to read (and with --json for machines); nothing is asserted.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "検索の品質と速度を測る / search benchmarks: search-quality [--beir DIR], search-speed --docs N"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="benchmark", required=True)
        quality = sub.add_parser("search-quality", help="nDCG@10・recall@10・MRR@10（自前の判定集合または BEIR 形式）")
        quality.add_argument("--beir", metavar="DIR", help="BEIR 形式のコレクション（corpus.jsonl, queries.jsonl, qrels/test.tsv）")
        quality.add_argument(
            "--judged", metavar="FILE",
            help="判定集合の JSON Lines（既定: 同梱の judged_ja.jsonl。調整に使っていない集合は heldout_ja.jsonl）",
        )
        which = quality.add_mutually_exclusive_group()
        which.add_argument("--heldout", action="store_true", help="調整に使っていない判定集合 heldout_ja.jsonl で測る")
        which.add_argument("--dev", action="store_true", help="開発用の判定集合 dev_ja.jsonl で測る")
        which.add_argument(
            "--heldout2", action="store_true",
            help="2 つ目の調整に使っていない判定集合 heldout2_ja.jsonl で測る（調整にも質問ごとの確認にも使わないこと）",
        )
        which.add_argument(
            "--heldout3", action="store_true",
            help="3 つ目の調整に使っていない判定集合 heldout3_ja.jsonl で測る（調整にも質問ごとの確認にも使わないこと）",
        )
        quality.add_argument("--json", action="store_true", help="結果を JSON で出力する")
        quality.add_argument("--per-query", action="store_true", help="--json に質問ごとの結果を含める")
        quality.add_argument("--chart", metavar="PATH.svg", help="タグ別 nDCG@10 の棒グラフを SVG で書き出す")
        quality.add_argument("--worst", type=int, default=0, metavar="N", help="madoguchi の nDCG@10 が低い質問を N 問表示する")
        speed = sub.add_parser("search-speed", help="N 件の生成文書で索引作成時間・メモリ・応答時間を測る")
        speed.add_argument("--docs", type=int, required=True, metavar="N", help="生成する文書数")
        speed.add_argument("--queries", type=int, default=1000, help="計測する質問数（判定集合の質問を繰り返す）")
        speed.add_argument("--seed", type=int, default=2005)
        speed.add_argument("--systems", default="madoguchi,bm25s,fts5", help="計測するシステム（カンマ区切り）")
        speed.add_argument("--json", action="store_true", help="結果を 1 つの JSON オブジェクトで出力する")
        speed.add_argument("--chart", metavar="PATH.svg", help="検索時間・索引作成時間・最大メモリの棒グラフ（目標線つき）を SVG で書き出す")
        speed.add_argument("--threads", type=int, default=4, metavar="T", help="同時に質問するスレッド数（既定 4）")
        speed.add_argument(
            "--writes-per-s", type=float, default=None, metavar="W",
            help="毎秒 W 件の保存を受けながらの検索処理量を、保存なしと並べて測る（一時データベースで実行）",
        )
        speed.add_argument("--seconds", type=float, default=30.0, help="--writes-per-s: 各条件の計測秒数")
        programs = sub.add_parser("programs", help="制度の取り込み行/秒・open+area 検索の p50/p95・最大メモリ（bm25s と並べて）")
        programs.add_argument("--programs", type=int, default=100_000, metavar="N", help="生成する制度の数（既定 100000）")
        programs.add_argument("--queries", type=int, default=500, help="計測する質問数")
        programs.add_argument("--postgres", action="store_true", help="一時的な PostgreSQL データベースで計測する（既定は一時 SQLite）")
        programs.add_argument("--json", action="store_true", help="結果を JSON で出力する")
        from madoguchi.bench import http

        http.add_arguments(sub.add_parser("http", help="本番構成のサーバー（gunicorn）に wrk で負荷をかけ、req/s・p50/p95/p99・エラーを静的ファイルと並べて測る"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["benchmark"] == "search-quality":
            self.quality(options)
        elif options["benchmark"] == "programs":
            self.programs(options)
        elif options["benchmark"] == "http":
            from madoguchi.bench import http

            code = http.handle(options, stdout=self.stdout)
            if code:
                raise SystemExit(code)
        else:
            self.speed(options)

    # --- quality ---------------------------------------------------------------------------

    def quality(self, options: dict[str, Any]) -> None:
        from madoguchi.bench.search import quality

        progress = sys.stderr
        if options["beir"]:
            from madoguchi.bench.search.baselines import BM25Bigram, FTS5Trigram
            from madoguchi.bench.search.beir import baseline_ranker, madoguchi_ranker, read_collection

            try:
                collection = read_collection(Path(options["beir"]))
            except (FileNotFoundError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            progress.write(f"BEIR: {len(collection.docs)} 文書、{len(collection.queries)} 問\n")
            rankers = {
                "madoguchi": madoguchi_ranker(collection.docs, progress=progress),
                "bm25-bigram": baseline_ranker(BM25Bigram(collection.docs)),
                "fts5": baseline_ranker(FTS5Trigram(collection.docs)),
            }
            queries = collection.queries
            with_hit = False
        else:
            from madoguchi.bench.search import ownset
            from madoguchi.bench.search.judged import (
                DEV_FILE,
                HELDOUT2_FILE,
                HELDOUT3_FILE,
                HELDOUT_FILE,
                JUDGED_FILE,
                load_judged,
            )

            path = (
                Path(options["judged"]) if options["judged"]
                else HELDOUT_FILE if options["heldout"]
                else HELDOUT2_FILE if options["heldout2"]
                else HELDOUT3_FILE if options["heldout3"]
                else DEV_FILE if options["dev"]
                else JUDGED_FILE
            )
            try:
                ownset.check_database()
                judged = load_judged(path)
            except (ownset.NotLoaded, ValueError, FileNotFoundError) as exc:
                raise CommandError(str(exc)) from exc
            docs = ownset.documents()
            progress.write(f"判定集合 {path.name}: {len(judged)} 問、{len(docs)} 文書\n")
            rankers = {"madoguchi": ownset.madoguchi_ranker(), **ownset.baseline_rankers(docs, progress=progress)}
            queries = ownset.as_judged(judged)
            with_hit = True
        results = quality.evaluate(queries, rankers, progress=progress)
        tags = quality.report_tags(queries)
        if options["chart"]:
            Path(options["chart"]).write_text(quality.chart_svg(results, tags, quality.tag_counts(queries)), encoding="utf-8")
            progress.write(f"グラフを書き出しました: {options['chart']}\n")
        if options["json"]:
            self.stdout.write(json.dumps(quality.as_json(results, with_per_query=options["per_query"]), ensure_ascii=False))
            return
        for line in quality.summary_lines(results, with_hit=with_hit):
            self.stdout.write(line)
        if tags:
            self.stdout.write("")
            self.stdout.write(quality.tag_table(results, tags, quality.tag_counts(queries)))
        if options["worst"] > 0:
            self.stdout.write("")
            self.stdout.write(quality.worst_table(results["madoguchi"], queries, options["worst"]))

    # --- speed -----------------------------------------------------------------------------

    def speed(self, options: dict[str, Any]) -> None:
        from madoguchi.bench.search import speed

        if options["docs"] < 1:
            raise CommandError("--docs には 1 以上の数を指定してください / --docs must be at least 1")
        systems = [s.strip() for s in options["systems"].split(",") if s.strip()]
        unknown = [s for s in systems if s not in speed.SYSTEMS]
        if unknown or not systems:
            raise CommandError(f"不明なシステムです: {', '.join(unknown)}（選べるもの: {', '.join(speed.SYSTEMS)}）")
        if options["threads"] < 1:
            raise CommandError("--threads には 1 以上の数を指定してください / --threads must be at least 1")
        if options["writes_per_s"] is not None:
            self.speed_with_writes(options)
            return
        try:
            results = speed.run(options["docs"], n_queries=options["queries"], seed=options["seed"], systems=systems,
                                threads=options["threads"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["chart"]:
            Path(options["chart"]).write_text(speed.chart_svg(results, options["docs"]), encoding="utf-8")
            sys.stderr.write(f"グラフを書き出しました: {options['chart']}\n")
        if options["json"]:
            self.stdout.write(json.dumps(speed.public_json(results)))
            return
        self.stdout.write(f"{options['docs']} 文書、{options['queries']} 問、1 コア（各システム別プロセス）")
        self.stdout.write(speed.table(results))

    def programs(self, options: dict[str, Any]) -> None:
        from madoguchi.bench.catalog import programs

        if options["programs"] < 1 or options["queries"] < 1:
            raise CommandError("--programs と --queries には 1 以上の数を指定してください / must be at least 1")
        try:
            figures = programs.run(options["programs"], n_queries=options["queries"], postgres=options["postgres"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(figures) if options["json"] else programs.table(figures))

    def speed_with_writes(self, options: dict[str, Any]) -> None:
        from madoguchi.bench.search import live_speed

        if options["writes_per_s"] <= 0 or options["seconds"] <= 0:
            raise CommandError("--writes-per-s と --seconds には正の数を指定してください / must be positive")
        try:
            figures = live_speed.run(options["docs"], options["writes_per_s"], seconds=options["seconds"],
                                     threads=options["threads"], seed=options["seed"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(figures) if options["json"] else live_speed.table(figures))
