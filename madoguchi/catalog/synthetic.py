"""Realistic program rows for load tests and the import benchmark (no randomness: seeded)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from madoguchi.catalog import areas
from madoguchi.catalog.rows import COLUMNS

TYPES = ["補助金", "助成金", "融資", "保証", "専門家派遣", "相談", "セミナー・研修", "認定"]
RATES = ["1/2", "2/3", "3/4", "10/10", "定額", ""]
AMOUNTS = ["50万円", "100万円", "500万円", "1,000万円", "3,000万円", "1億円", ""]


def rows(count: int, seed: int = 11) -> list[list[str]]:
    rng = random.Random(seed)
    codes = sorted(areas.registry())
    result = []
    for n in range(count):
        code = rng.choice(codes)
        found = areas.lookup(code)
        assert found is not None
        opens_month = rng.randint(1, 12)
        result.append([
            f"P{n:07d}", f"{found.name}{rng.choice(['設備投資', '創業', '販路開拓', '人材育成', 'DX推進'])}支援事業 {n}",
            f"{found.full_name}", "", rng.choice(TYPES), "中小企業の取り組みを支援します。",
            "" if n % 10 == 0 else code, f"2026-{opens_month:02d}-01", f"2026-{opens_month:02d}-28 17:00",
            rng.choice(AMOUNTS), rng.choice(RATES), rng.choice(["", "20", "300人以下"]), rng.choice(["", "E", "E;G"]),
            f"https://example.jp/programs/{n}", "2026-10-01",
        ])
    return result


HEADERS = [h for h in COLUMNS if h not in ("下限額", "対象資本金", "創業後年数", "申請方法")]


def write_csv(path: Path, count: int, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows(count))
    return path
