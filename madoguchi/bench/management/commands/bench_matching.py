"""madoguchi bench-matching quality | calibrate | speed [--listings N] [--queries Q] | import [--rows N] [--mb MB]

(A command of its own beside `madoguchi bench`, which measures search and programs: the README and
the recorded results name it so.)
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "マッチングのベンチマーク: quality（判定済みペアで P@5・nDCG@10、BM25・旧版と比較）、calibrate（REL_THRESHOLD ごとに残る候補）、speed（N 件での応答時間・メモリ、bm25s と比較）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("which", choices=["quality", "calibrate", "speed", "import"])
        parser.add_argument("--listings", type=int, default=1_000_000, help="speed: 生成する掲載の件数")
        parser.add_argument("--queries", type=int, default=1_000, help="speed: 候補を求める掲載の件数")
        parser.add_argument("--seed", type=int, default=20051201, help="speed: 生成の乱数の種")
        parser.add_argument("--no-bm25s", action="store_true", help="speed: bm25s との比較を省く")
        parser.add_argument("--rows", type=int, default=20_000, help="import: 生成する CSV の行数")
        parser.add_argument("--mb", type=float, default=None, help="import: 概要を伸ばしてファイルをこの大きさ（MB）にする")
        parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
        parser.add_argument("--file", type=Path, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--pin-core", type=int, default=None, help="speed: この CPU コアに固定する")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["which"] == "calibrate":
            from madoguchi.bench.matching import quality

            self.stdout.write(quality.calibration())
        elif opts["which"] == "quality":
            from madoguchi.bench.matching import quality

            self.stdout.write("\n\n".join(quality.format_report(quality.run(name)) for name in quality.SETS))
        elif opts["which"] == "import":
            from madoguchi.bench.matching import importing

            if opts["child"]:
                importing.child(opts["child"], opts["file"])
            else:
                importing.run(opts["rows"], opts["mb"], out=self.stdout.write)
        else:
            from madoguchi.bench.matching import speed

            speed.run(n=opts["listings"], queries=opts["queries"], seed=opts["seed"], with_bm25s=not opts["no_bm25s"],
                      out=self.stdout.write, pin_core=opts["pin_core"])
