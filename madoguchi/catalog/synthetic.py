"""Realistic program rows for load tests, the benchmark and the demo (no randomness: seeded).

`rows(n)` writes fixed 2026 calls (the import tests compare them); `rows(n, today=…)` spreads the
calls around that day — some open, some closing soon, some coming, some ended, 融資 and 相談 often
通年 — as a live catalog looks. `create_demo_programs(n)` imports such rows through the importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from madoguchi.catalog import areas
from madoguchi.catalog.rows import COLUMNS

TYPES = ["補助金", "助成金", "融資", "保証", "専門家派遣", "相談", "セミナー・研修", "認定"]
RATES = ["1/2", "2/3", "3/4", "10/10", "定額", ""]
AMOUNTS = ["50万円", "100万円", "500万円", "1,000万円", "3,000万円", "1億円", ""]


YEAR_ROUND_TYPES = {"融資", "保証", "相談", "専門家派遣"}
THEMES = ["設備投資", "創業", "販路開拓", "人材育成", "DX推進", "省エネルギー", "事業承継", "海外展開", "研究開発"]


def _window(rng: random.Random, kind: str, today: dt.date) -> tuple[str, str]:
    """受付開始・受付締切 around today: about a third open now, a tenth 通年 for loans and advice."""
    if kind in YEAR_ROUND_TYPES and rng.random() < 0.6:
        return "通年", ""
    opens = today + dt.timedelta(days=rng.randint(-240, 90))
    closes = opens + dt.timedelta(days=rng.randint(14, 150))
    return opens.isoformat(), f"{closes.isoformat()} 17:00"


def rows(count: int, seed: int = 11, today: dt.date | None = None) -> list[list[str]]:
    rng = random.Random(seed)
    codes = sorted(areas.registry())
    result = []
    for n in range(count):
        code = rng.choice(codes)
        found = areas.lookup(code)
        assert found is not None
        opens_month = rng.randint(1, 12)
        theme = rng.choice(THEMES if today else THEMES[:5])
        kind = rng.choice(TYPES)
        if today is None:
            opens, closes = f"2026-{opens_month:02d}-01", f"2026-{opens_month:02d}-28 17:00"
        else:
            opens, closes = _window(rng, kind, today)
        result.append([
            f"P{n:07d}", f"{found.name}{theme}支援事業 {n}",
            f"{found.full_name}", "", kind,
            f"{found.full_name}の中小企業の{theme}の取り組みを支援します。" if today else "中小企業の取り組みを支援します。",
            "" if n % 10 == 0 else code, opens, closes,
            rng.choice(AMOUNTS), rng.choice(RATES), rng.choice(["", "20", "300人以下"]), rng.choice(["", "E", "E;G"]),
            f"https://example.jp/programs/{n}", "2026-10-01",
        ])
    return result


HEADERS = [h for h in COLUMNS if h not in ("下限額", "対象資本金", "創業後年数", "申請方法")]


def write_csv(path: Path, count: int, encoding: str = "utf-8", today: dt.date | None = None) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows(count, today=today))
    return path


DEMO_SOURCE = "デモ（生成データ）"


def create_demo_programs(count: int, *, today: dt.date | None = None,
                         progress: Callable[[int, int], None] | None = None) -> Any:
    """Import `count` generated programs across all prefectures into the demo source, then reindex.

    Through the importer (the same rows a CSV publisher sends), so running it again updates in
    place. Returns the ImportReport. `madoguchi demo-programs N` (later `madoguchi demo --programs N`).
    """
    from django.utils import timezone

    from madoguchi.catalog.importer import import_programs
    from madoguchi.catalog.models import CatalogEntry
    from madoguchi.catalog.signals import programs_reloaded

    today = today or timezone.localdate()
    with tempfile.TemporaryDirectory(prefix="madoguchi-demo-") as tmp:
        path = write_csv(Path(tmp) / "demo.csv", count, today=today)
        report = import_programs(path, DEMO_SOURCE, progress=progress)
    if report.ok:
        programs_reloaded.send(sender=CatalogEntry)  # the search rebuilds its index
    return report
