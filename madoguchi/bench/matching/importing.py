"""`madoguchi bench-matching import`: import-listings' rows/s and peak RSS beside a lower-bound peer.

A CSV of N generated rows (short ones, or padded to a target size with --mb) is written to a
temporary file; then each system runs in its own process (so its peak RSS is its own, read
from wait4) against the configured database, inside a transaction that is rolled back:

- madoguchi: `import_csv(path, ...)`, the command's code path (limits, decoding, per-row checks,
  full_clean, moderation, history rows, fields through their link table);
- peer: a plain `csv.DictReader` over the same file and `bulk_create` of the same listings and
  their field links, no checks and no history: what any import of these rows must at least cost.

Figures are printed for people to read; nothing is asserted about time.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

KINDS = ("技術シーズ", "ライセンス可能な特許", "受注可能な技術")
WORDS = ("センサ", "樹脂成形", "画像処理", "発酵", "金型", "微細加工", "電池", "水産加工", "制御", "材料")


def write_csv(path: Path, rows: int, mb: float | None, field_codes: list[str]) -> int:
    """Write `rows` rows (padding the 概要 so the file is about `mb` MB); return its size."""
    pad = 0
    if mb:
        pad = max(0, int(mb * 1024 * 1024 / rows / 3) - 40)  # 3 bytes a character in UTF-8
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["外部キー", "種別", "名称", "概要", "分野", "特許番号"])
        for i in range(rows):
            word = WORDS[i % len(WORDS)]
            kind = KINDS[i % 3]
            desc = f"{word}の技術 {i}" + ("加工技術の説明" * (pad // 7 + 1))[:pad]
            w.writerow([f"B-{i:06d}", kind, f"{word}の{i}番", desc, field_codes[i % len(field_codes)] if field_codes else "",
                        f"特許第{i:07d}号" if kind == KINDS[1] else ""])
    return path.stat().st_size


def _owner() -> Any:
    from madoguchi.directory.models import Organization

    return Organization.objects.create(slug="bench-import-owner", name="ベンチ用の機関")


def _madoguchi(path: Path) -> int:
    from madoguchi.matching.importers import import_csv

    report = import_csv(path, owner=_owner(), dry_run=True)  # a dry run writes everything, then rolls back
    if not report.ok:
        raise SystemExit(report.summary() + " " + repr([r for r in report.rows if r.errors][:3]))
    return report.count("created")


def _peer(path: Path) -> int:
    from madoguchi.directory.models import Field
    from madoguchi.matching.models import Kind, Listing

    owner = _owner()
    kinds = {"技術シーズ": Kind.SEED, "ライセンス可能な特許": Kind.PATENT, "受注可能な技術": Kind.SUPPLIER}
    fields = {f.code: f.pk for f in Field.objects.all()}
    n = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        batch: list[tuple[Listing, str]] = []

        def flush() -> None:
            Listing.objects.bulk_create([x for x, _c in batch])
            Listing.fields.through.objects.bulk_create([
                Listing.fields.through(listing_id=x.pk, field_id=fields[c]) for x, c in batch if c in fields])
            batch.clear()

        for row in csv.DictReader(f):
            batch.append((Listing(owner_organization=owner, external_key=row["外部キー"], kind=kinds[row["種別"]],
                                  title=row["名称"], description=row["概要"], patent_number=row["特許番号"]), row["分野"]))
            n += 1
            if len(batch) == 1000:
                flush()
        flush()
    return n


SYSTEMS: dict[str, Callable[[Path], int]] = {"madoguchi": _madoguchi, "peer": _peer}


def child(system: str, path: Path) -> None:
    """Run one system in this process and print one JSON line (called by run())."""
    from django.db import connection, transaction

    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with transaction.atomic():
        t0, c0 = time.perf_counter(), time.process_time()
        rows = SYSTEMS[system](path)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        transaction.set_rollback(True)
    print(json.dumps({"system": system, "rows": rows, "seconds": seconds, "cpu": cpu, "start_rss_kb": start_rss,
                      "vendor": connection.vendor}))


def _run_child(system: str, path: Path) -> dict[str, Any]:
    proc = subprocess.Popen([sys.executable, "-m", "madoguchi.cli", "bench-matching", "import", "--child", system,
                             "--file", str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{system} failed (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_kb"] = usage.ru_maxrss  # Linux: kilobytes
    return result


def run(rows: int, mb: float | None, out: Callable[[str], None]) -> None:
    from madoguchi.directory.models import Field

    codes = list(Field.objects.values_list("code", flat=True)[:7])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        size = write_csv(path, rows, mb, codes)
        out(f"{rows} rows, {size / 1024 / 1024:.1f} MB, fields {'yes' if codes else 'none loaded'}")
        results = [_run_child(system, path) for system in SYSTEMS]
    out(f"database: {results[0]['vendor']}")
    # CPU time is this process's only (the PostgreSQL server's work is in the wall time); on a
    # shared machine it varies less than the wall time
    out(f"{'system':<10} {'seconds':>8} {'rows/s':>8} {'CPU s':>7} {'rows/CPU s':>11} {'peak RSS MB':>12} {'at start MB':>12}")
    for r in results:
        out(f"{r['system']:<10} {r['seconds']:>8.2f} {r['rows'] / r['seconds']:>8.0f} {r['cpu']:>7.2f}"
            f" {r['rows'] / r['cpu']:>11.0f} {r['peak_rss_kb'] / 1024:>12.0f} {r['start_rss_kb'] / 1024:>12.0f}")
    out(f"madoguchi / peer time: {results[0]['seconds'] / results[1]['seconds']:.2f}×")
