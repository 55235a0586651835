"""`madoguchi bench http`: the production server under load, measured from another process by wrk.

Starts gunicorn as `make serve` does (madoguchi.ops.gunicorn_conf: WEB_CONCURRENCY workers, DEBUG
off, static files through whitenoise) on 127.0.0.1 and a free port, on a throw-away copy of the
data (http_server.py), waits for /readyz, warms every worker up, and runs one wrk per scenario:

  static      one static file, served by the same server: the ceiling of this stack on this machine
  search-api  GET /api/search?q=… over the team's judged Japanese questions
  mixed       the pages people ask for (MIX_SHARES): home, search page, search API, institution
              and program pages, API lists

Requests/s, p50/p95/p99 latency and errors per scenario, beside the issue's targets (#12 item 5).
Figures are printed for people (or --json); the exit status says only whether the run worked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

from madoguchi.bench import http_server, wrk

SCENARIOS = ("static", "search-api", "mixed")
STATIC_PATH = "/static/css/madoguchi.css"
# Shares of the mixed scenario, in per cent (test_http checks the Lua file holds them exactly).
MIX_SHARES = {"home": 10, "search-page": 25, "search-api": 25, "organization": 15, "program": 15, "api-list": 10}
MIX_LABELS = {"home": "home", "search-page": "search page", "search-api": "search API",
              "organization": "institution pages", "program": "program pages", "api-list": "API lists"}
# Issue #12 item 5, on this 2-core machine: (scenario or "*" for every one, figure, comparison, value).
TARGETS = (("search-api", "requests_per_s", ">=", 200.0), ("search-api", "p95_ms", "<=", 100.0), ("*", "errors", "==", 0))
# The per-IP token buckets (cases/ratelimit.py, events/ratelimit.py: cases.TokenBucket) guard only
# POST forms — consultations, event registrations, subscriptions, password resets — and the login
# lockout (django-axes) only logins; no GET path of the mix is limited, so nothing is switched off.
RATE_LIMIT_NOTE = ("rate limits: none on the measured GET paths (the per-IP TokenBucket limits guard only the POST "
                   "forms: consultation, event registration, subscriptions, password reset); nothing was switched off")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=20.0, help="各シナリオの計測秒数（既定 20）")
    parser.add_argument("--connections", type=int, default=50, help="同時接続数（既定 50）")
    parser.add_argument("--threads", type=int, default=2, help="wrk のスレッド数（既定 2）")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn のワーカー数（既定: WEB_CONCURRENCY、なければコア数の 2 倍）")
    parser.add_argument("--warmup", type=float, default=3.0, help="計測前の慣らし運転の秒数（既定 3）")
    parser.add_argument("--timeout", type=float, default=10.0, help="1 リクエストの待ち時間の上限、秒（超えるとエラー、既定 10）")
    parser.add_argument("--questions", type=int, default=30, help="判定集合から使う質問の数（既定 30）")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"計測するシナリオ（カンマ区切り: {', '.join(SCENARIOS)}）")
    parser.add_argument("--database-url", default=None,
                        help="このデータベースで計測する（SQLite はコピーを使う。既定は一時 SQLite に計画を読み込む）")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="サーバーに渡す環境変数（繰り返し可。例: DB_CONN_MAX_AGE=60）")
    parser.add_argument("--json", action="store_true", help="結果を JSON で出力する")


def run(argv: Sequence[str] | None = None, *, stdout: TextIO | io.TextIOBase | None = None) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench http", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return handle(vars(parser.parse_args(argv)), stdout=stdout)


# --- the requests ----------------------------------------------------------------------------


def questions(n: int = 30) -> list[str]:
    """`n` Japanese questions spread over the team's judged set (read now: a changed set is used as it is)."""
    from madoguchi.bench.search.judged import JUDGED_FILE

    lines = [json.loads(line)["query"] for line in JUDGED_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [q for q in lines if any("\u3040" <= ch <= "\u9fff" for ch in q)]  # Japanese (the set holds a few English)
    step = max(1, len(lines) // max(1, n))
    return lines[::step][:n]


def interleave(shares: dict[str, int], candidates: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(category, path) in an order where each category has its share of every cycle of sum(shares)
    requests, spread evenly (smooth weighted round-robin), and walks its own candidates in turn;
    enough cycles that every candidate is asked at least once."""
    total = sum(shares.values())
    cycles = max(math.ceil(len(candidates[c]) / w) for c, w in shares.items() if w)
    current = dict.fromkeys(shares, 0)
    taken = dict.fromkeys(shares, 0)
    out = []
    for _ in range(cycles * total):
        for c, w in shares.items():
            current[c] += w
        pick = max(current, key=lambda c: current[c])
        current[pick] -= total
        out.append((pick, candidates[pick][taken[pick] % len(candidates[pick])]))
        taken[pick] += 1
    return out


def _spread(items: list[str], n: int) -> list[str]:
    step = max(1, len(items) // n)
    return items[::step][:n]


def candidates(base: str, asked: list[str]) -> dict[str, list[str]]:
    """The paths of each category; ids of institutions and programs come from the server's own API."""
    organizations = [item["id"] for item in http_server.api_items(base, "/api/organizations")]
    programs = [item["id"] for item in http_server.api_items(base, "/api/programs")]
    functions = [item["code"] for item in http_server.api_items(base, "/api/functions")]
    if not organizations or not programs:
        raise RuntimeError("支援機関または支援事業がありません（load-plan と reindex を先に） / "
                           "no institutions or programs in the database (run load-plan and reindex first)")
    q = [urllib.parse.quote(text) for text in asked]
    return {
        "home": ["/"],
        "search-page": [f"/search/?q={x}" for x in q],
        "search-api": [f"/api/search?q={x}" for x in q],
        "organization": [f"/organizations/{slug}/" for slug in _spread(organizations, 40)],
        "program": [f"/programs/{slug}/" for slug in _spread(programs, 40)],
        "api-list": ["/api/organizations", "/api/programs", "/api/functions", "/api/events",
                     *(f"/api/programs?function={code}" for code in functions[:2]),
                     *(f"/api/organizations?function={code}" for code in functions[2:4])],
    }


def category(path: str) -> str:
    """A path's category from what the server logs (the path without its query)."""
    if path.startswith("/static/"):
        return "static"
    if path == "/":
        return "home"
    if path == "/search/":
        return "search-page"
    if path == "/api/search":
        return "search-api"
    if path.startswith("/api/"):
        return "api-list"
    if path.startswith("/organizations/"):
        return "organization"
    if path.startswith("/programs/"):
        return "program"
    return "other"


def served(answered: list[tuple[str, int]]) -> dict[str, Any]:
    """What the server logged: how many answers of each status, and each category's share in per cent."""
    statuses: dict[str, int] = {}
    shares: dict[str, int] = {}
    for path, status in answered:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        shares[category(path)] = shares.get(category(path), 0) + 1
    total = max(1, len(answered))
    return {"logged": len(answered), "statuses": dict(sorted(statuses.items())),
            "shares": {c: round(n * 100 / total, 1) for c, n in sorted(shares.items(), key=lambda t: -t[1])}}


def scenario_requests(name: str, paths: dict[str, list[str]]) -> list[tuple[str, str]]:
    if name == "static":
        return [("static", STATIC_PATH)]
    if name == "search-api":
        return [("search-api", p) for p in paths["search-api"]]
    return interleave(MIX_SHARES, paths)


# --- the figures -----------------------------------------------------------------------------


def check_targets(scenarios: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for where, figure, op, target in TARGETS:
        for name in (scenarios if where == "*" else [where]):
            if name not in scenarios:
                continue
            value = scenarios[name][figure]
            ok = value >= target if op == ">=" else value <= target if op == "<=" else value == target
            out.append({"scenario": name, "figure": figure, "op": op, "target": target, "value": value, "ok": ok})
    return out


_FIGURE_LABEL = {"requests_per_s": "requests/s", "p95_ms": "p95 ms", "errors": "errors"}


def table(result: dict[str, Any]) -> str:
    m, s, d = result["machine"], result["server"], result["data"]
    load = " / ".join(f"{x:.2f}" for x in m["load_average_start"])
    lines = [
        f"madoguchi bench http — {result['date']}, {m['cores']} cores ({m['cpu']}), load average {load} at the start",
        f"server: gunicorn, {s['workers']} workers ({s['workers_from']}), DEBUG off, static files through whitenoise, "
        "a deployment's settings behind a TLS proxy (X-Forwarded-Proto: https), sync workers: one connection per request, "
        f"DB_CONN_MAX_AGE={s['db_conn_max_age']}"
        + ("" if s["db_conn_max_age"] else " (every request opens the database; --env DB_CONN_MAX_AGE=60 keeps it)")
        + "".join(f", {k}={v}" for k, v in s["env"].items() if k != "DB_CONN_MAX_AGE"),
        f"data: {d['database']}; {d['organizations']} institutions and {d['programs']} programs in the mix; "
        f"{d['questions']} questions from judged_ja.jsonl",
        f"load: {result['wrk']['version']}, {result['wrk']['threads']} threads, {result['wrk']['connections']} connections, "
        f"{result['wrk']['seconds']:g} s per scenario after {result['wrk']['warmup']:g} s of warm-up, timeout {result['wrk']['timeout']:g} s",
        result["rate_limits"],
        "",
        f"{'scenario':<11} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>7} {'srv CPU ms/req':>14} {'wrk CPU s':>9} {'load 1m':>7}",
    ]
    for name, f in result["scenarios"].items():
        lines.append(f"{name:<11} {f['requests']:>9} {f['requests_per_s']:>8.1f} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} "
                     f"{f['p99_ms']:>8.1f} {f['max_ms']:>8.1f} {f['errors']:>7} {f['server_cpu_ms_per_request']:>14.2f} "
                     f"{f['client_cpu_s']:>9.1f} {f['load_average_end'][0]:>7.2f}")
        if f["errors"]:
            lines.append(f"{'':<11} errors: {f['status_errors']} answers ≥ 400, sockets {f['socket_errors']}")
        if set(f["served"]["statuses"]) - {"200"}:
            lines.append(f"{'':<11} statuses logged by the server: {f['served']['statuses']}")
    lines += ["", "targets (issue #12 item 5, 2-core machine):"]
    for t in result["targets"]:
        label = f"{t['scenario']} {_FIGURE_LABEL.get(t['figure'], t['figure'])} {t['op'].replace('>=', '≥').replace('<=', '≤')} {t['target']:g}"
        lines.append(f"  {label:<32} {t['value']:>10g}  {'ok' if t['ok'] else 'NG'}")
    if "mixed" in result["scenarios"]:
        logged = result["scenarios"]["mixed"]["served"]["shares"]
        lines.append("mixed, asked (as logged by the server): " + ", ".join(
            f"{MIX_LABELS[c]} {w}% ({logged.get(c, 0):g}%)" for c, w in MIX_SHARES.items()))
    return "\n".join(lines)


def _machine() -> dict[str, Any]:
    cpu = "?"
    with suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "?")
    from madoguchi.ops.gunicorn_conf import _cores

    return {"cores": _cores(), "cpu": cpu, "load_average_start": list(os.getloadavg())}


def _wrk_version(path: str) -> str:
    out = subprocess.run([path, "-v"], capture_output=True, text=True).stdout
    return out.split(" [", 1)[0].strip() or "wrk"


# --- the run ---------------------------------------------------------------------------------


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """A SIGTERM (a supervisor, `kill`) stops the run as Ctrl-C does: the server is stopped on the way out."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


_started = time.monotonic()  # reset by handle(): progress lines say the seconds since the run began


def _say(text: str) -> None:
    sys.stderr.write(f"[bench http {time.monotonic() - _started:6.1f} s] {text}\n")
    sys.stderr.flush()


def handle(options: dict[str, Any], *, stdout: TextIO | io.TextIOBase | None = None) -> int:
    global _started
    _started = time.monotonic()
    out = stdout or sys.stdout
    path = wrk.find_wrk()
    if path is None:
        sys.stderr.write(wrk.INSTALL_HINT + "\n")
        return 1
    names = [n.strip() for n in options["scenarios"].split(",") if n.strip()]
    problems = [f"unknown scenario {n!r} ({', '.join(SCENARIOS)})" for n in names if n not in SCENARIOS]
    if not names or options["seconds"] <= 0 or options["connections"] < 1 or options["threads"] < 1 \
            or options["questions"] < 1 or (options["workers"] is not None and options["workers"] < 1):
        problems.append("--seconds, --connections, --threads, --questions and --workers must be positive")
    problems += [f"--env {item!r} is not NAME=VALUE" for item in options["env"] if "=" not in item.strip("=")]
    if problems:
        sys.stderr.write("引数が正しくありません / bad arguments: " + "; ".join(problems) + "\n")
        return 2
    try:
        with _sigterm_as_interrupt():
            result = measure(path, names, options)
    except KeyboardInterrupt:
        _say("中断しました / interrupted; the server was stopped")
        return 130
    except RuntimeError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    out.write((json.dumps(result, ensure_ascii=False) if options["json"] else table(result)) + "\n")
    return 0


def measure(wrk_path: str, names: list[str], options: dict[str, Any]) -> dict[str, Any]:
    machine = _machine()
    workers = options["workers"] or http_server.default_workers()
    workers_from = ("--workers" if options["workers"] else "WEB_CONCURRENCY" if os.environ.get("WEB_CONCURRENCY")
                    else f"2 × {machine['cores']} cores, as gunicorn_conf")
    asked = questions(options["questions"])
    with tempfile.TemporaryDirectory(prefix="madoguchi-bench-http-") as tmp:
        work = Path(tmp)
        url = options["database_url"]
        if url and url.startswith("sqlite:"):
            url, database = http_server.copy_sqlite(url, work), "a copy of the SQLite database given"
        elif url:
            database = "the database given, read only (GET requests; search merges off)"
        else:
            database = "temporary SQLite (migrate, load-plan, reindex)"
        env = http_server.environment(work, http_server.free_port(), workers, url)
        extra = dict(item.split("=", 1) for item in options["env"])
        env.update(extra)
        _say(f"データを準備しています / preparing the data: {database}")
        http_server.prepare(env, load=not url)
        server = http_server.Server(work, env, workers)
        _say(f"サーバーを起動しています / starting gunicorn ({workers} workers) on {server.base}")
        server.start()
        try:
            server.wait_ready()
            _say(f"準備完了 / ready: /readyz 200, workers {server.worker_pids()}")
            paths = candidates(server.base, asked)
            scripts, asked_paths = {}, set()
            for name in names:
                requests = scenario_requests(name, paths)
                asked_paths |= {p for _, p in requests}
                scripts[name] = work / f"{name}.lua"
                scripts[name].write_text(wrk.lua_script(name, requests, threads=options["threads"]), encoding="utf-8")
            _warm_up(server, wrk_path, scripts, sorted(asked_paths), options)
            scenarios = {name: _scenario(server, wrk_path, name, scripts[name], options) for name in names}
            worker_count = len(server.worker_pids())
        finally:
            server.stop()
            _say("サーバーを停止しました / the server was stopped")
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
        "machine": {**machine, "load_average_end": list(os.getloadavg())},
        "server": {"workers": worker_count, "workers_from": workers_from, "env": extra,
                   "db_conn_max_age": int(env.get("DB_CONN_MAX_AGE") or 0)},
        "data": {"database": database, "organizations": len(paths["organization"]), "programs": len(paths["program"]),
                 "questions": len(asked)},
        "wrk": {"version": _wrk_version(wrk_path), "threads": options["threads"], "connections": options["connections"],
                "seconds": options["seconds"], "warmup": options["warmup"], "timeout": options["timeout"]},
        "rate_limits": RATE_LIMIT_NOTE,
        "scenarios": scenarios,
        "targets": check_targets(scenarios),
        "mix_shares": MIX_SHARES,
    }


def _warm_up(server: http_server.Server, wrk_path: str, scripts: dict[str, Path], distinct: list[str],
             options: dict[str, Any]) -> None:
    """Every path once (a wrong one stops the run here, with its status), then wrk on each script."""
    _say(f"慣らし運転 / warming up: {len(distinct)} distinct paths, then {options['warmup']:g} s of wrk")
    bad = [f"{status} {p}" for p in distinct if (status := http_server.get(server.base + p)[0]) >= 400]
    if bad:
        raise RuntimeError("エラーを返すパスがあります / paths answering errors:\n  " + "\n  ".join(bad[:20])
                           + f"\n{server.log_tail(10)}")
    if options["warmup"] > 0:
        for script in scripts.values():
            seconds = max(1.0, options["warmup"] / len(scripts))
            wrk.run(wrk.command(wrk_path, server.base + "/", script, seconds=seconds,
                                connections=options["connections"], threads=options["threads"], timeout=options["timeout"]))
    server.wait_quiet()


def _scenario(server: http_server.Server, wrk_path: str, name: str, script: Path, options: dict[str, Any]) -> dict[str, Any]:
    _say(f"計測中 / measuring {name}: {options['seconds']:g} s, {options['connections']} connections")
    cpu, offset = server.cpu_seconds(), server.log_size()
    children = os.times()
    figures, _ = wrk.run(wrk.command(wrk_path, server.base + "/", script, seconds=options["seconds"],
                                     connections=options["connections"], threads=options["threads"],
                                     timeout=options["timeout"]))
    after = os.times()
    result = figures.as_dict()
    result["server_cpu_ms_per_request"] = round((server.cpu_seconds() - cpu) * 1000 / max(1, figures.requests), 2)
    result["client_cpu_s"] = round(after.children_user + after.children_system - children.children_user - children.children_system, 2)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    server.wait_quiet()  # the backlog wrk left is answered (and logged) before the next run
    result["served"] = served(server.answered_since(offset))
    _say(f"{name}: {figures.requests_per_s:.1f} requests/s, p95 {figures.p95_ms:.1f} ms, {figures.errors} errors")
    return result
