"""`madoguchi bench http`: the parts that need no server (wrk's figures, the request mix), fast."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from madoguchi.bench import http, http_server, wrk

WRK_OUTPUT = """\
Running 2s test @ http://127.0.0.1:41859/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    50.29ms   50.63ms 383.00ms   92.31%
  6053 requests in 5.05s, 38.18MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   1198.87
MADOGUCHI-WRK {"requests": 6053, "duration_us": 5050000, "bytes": 40034304, "connect": 0, "read": 1, "write": 0, \
"status": 3, "timeout": 2, "p50_us": 33620, "p95_us": 101500, "p99_us": 315290, "mean_us": 50290.4, "max_us": 383000}
"""


def test_wrk_output_becomes_figures() -> None:
    f = wrk.parse_output(WRK_OUTPUT)
    assert f.requests == 6053 and f.seconds == 5.05
    assert f.requests_per_s == pytest.approx(1198.6, abs=0.1)
    assert (f.p50_ms, f.p95_ms, f.p99_ms, f.max_ms) == (33.62, 101.5, 315.29, 383.0)
    assert f.status_errors == 3 and f.socket_errors == {"connect": 0, "read": 1, "write": 0, "timeout": 2}
    assert f.errors == 6  # answers ≥ 400 and socket errors together


def test_wrk_output_without_figures_is_an_error() -> None:
    with pytest.raises(ValueError, match="no figures"):
        wrk.parse_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def _paths() -> dict[str, list[str]]:
    return {
        "home": ["/"],
        "search-page": [f"/search/?q=q{i}" for i in range(30)],
        "search-api": [f"/api/search?q=q{i}" for i in range(30)],
        "organization": [f"/organizations/o{i}/" for i in range(40)],
        "program": [f"/programs/p{i}/" for i in range(40)],
        "api-list": ["/api/organizations", "/api/programs", "/api/functions", "/api/events"],
    }


def test_the_mixed_script_holds_each_category_at_its_share() -> None:
    paths = _paths()
    script = wrk.lua_script("mixed", http.scenario_requests("mixed", paths))
    asked = wrk.script_requests(script)
    shares = Counter(category for category, _ in asked)
    assert sum(http.MIX_SHARES.values()) == 100
    assert {c: n * 100 / len(asked) for c, n in shares.items()} == http.MIX_SHARES
    for category, candidates in paths.items():  # every institution, program and question is asked
        assert {p for c, p in asked if c == category} == set(candidates)
    # Spread evenly: any 100 requests in a row hold the shares too (not 25 searches one after another).
    for start in range(0, len(asked) - 100, 37):
        window = Counter(c for c, _ in asked[start:start + 100])
        assert all(abs(window[c] - w) <= 1 for c, w in http.MIX_SHARES.items())


def test_the_static_and_search_scripts_ask_only_their_paths() -> None:
    paths = _paths()
    static = wrk.script_requests(wrk.lua_script("static", http.scenario_requests("static", paths)))
    assert static == [("static", http.STATIC_PATH)]
    search = wrk.script_requests(wrk.lua_script("search-api", http.scenario_requests("search-api", paths)))
    assert [p for _, p in search] == paths["search-api"]


def test_the_script_sends_what_the_proxy_would_and_prints_its_figures() -> None:
    script = wrk.lua_script("static", [("static", "/static/x.css")])
    assert 'wrk.headers["X-Forwarded-Proto"] = "https"' in script
    assert wrk.MARKER in script and "latency:percentile(95)" in script


def test_questions_come_from_the_judged_set() -> None:
    asked = http.questions(30)
    assert len(asked) == len(set(asked)) == 30
    assert all(any("\u3040" <= ch <= "\u9fff" for ch in q) for q in asked)  # Japanese


def test_targets_say_ok_or_ng() -> None:
    scenarios = {"static": {"requests_per_s": 900.0, "p95_ms": 20.0, "errors": 0},
                 "search-api": {"requests_per_s": 250.0, "p95_ms": 140.0, "errors": 1}}
    got = {(t["scenario"], t["figure"]): t["ok"] for t in http.check_targets(scenarios)}
    assert got == {("search-api", "requests_per_s"): True, ("search-api", "p95_ms"): False,
                   ("static", "errors"): True, ("search-api", "errors"): False}


def test_the_server_never_gets_the_configured_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example:5432/production")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://someone@replica.example:5432/production")
    monkeypatch.setenv("DJANGO_DEBUG", "true")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    env = http_server.environment(tmp_path, 8123, 3, None)
    assert "DATABASE_URL" not in env and "DATABASE_REPLICA_URL" not in env and "LOG_LEVEL" not in env
    assert env["VAR_DIR"] == str(tmp_path) and env["DJANGO_DEBUG"] == "False"
    assert (env["HOST"], env["PORT"], env["WEB_CONCURRENCY"]) == ("127.0.0.1", "8123", "3")
    assert env["DJANGO_SECRET_KEY"]  # a deployment's settings, as in production
    given = http_server.environment(tmp_path, 8123, 3, "postgres://me@127.0.0.1/staging")
    assert given["DATABASE_URL"] == "postgres://me@127.0.0.1/staging"


def test_without_wrk_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(wrk, "find_wrk", lambda: None)
    assert http.run(["--seconds", "1"], stdout=io.StringIO()) == 1
    assert "apt-get install wrk" in capsys.readouterr().err


def test_the_table_puts_each_target_beside_its_figure() -> None:
    figures = {"requests": 2000, "seconds": 10.0, "requests_per_s": 200.0, "p50_ms": 40.0, "p95_ms": 120.0,
               "p99_ms": 150.0, "mean_ms": 45.0, "max_ms": 200.0, "errors": 0, "status_errors": 0,
               "socket_errors": {}, "server_cpu_ms_per_request": 6.0, "client_cpu_s": 0.5,
               "load_average_end": [1.0, 1.0, 1.0], "served": {"logged": 2000, "statuses": {"200": 1990, "429": 10},
                                                             "shares": {"search-api": 100.0}}}
    scenarios = {"search-api": figures}
    result = {
        "date": "2026-12-04T21:00+09:00",
        "machine": {"cores": 2, "cpu": "x", "load_average_start": [0.5, 0.4, 0.3]},
        "server": {"workers": 4, "workers_from": "WEB_CONCURRENCY", "env": {}, "db_conn_max_age": 0},
        "data": {"database": "temporary SQLite", "organizations": 40, "programs": 40, "questions": 30},
        "wrk": {"version": "wrk 4.1.0", "threads": 2, "connections": 50, "seconds": 10.0, "warmup": 3.0, "timeout": 10.0},
        "rate_limits": http.RATE_LIMIT_NOTE, "scenarios": scenarios, "targets": http.check_targets(scenarios),
    }
    text = http.table(result)
    assert "search-api requests/s ≥ 200" in text and "ok" in text.split("requests/s ≥ 200")[1].splitlines()[0]
    assert "NG" in text.split("p95 ms ≤ 100")[1].splitlines()[0]
    assert "rate limits" in text
    assert "{'200': 1990, '429': 10}" in text  # what the server answered, beside wrk's count


def test_the_server_log_says_what_was_asked_and_answered() -> None:
    answered = [("/", 200), ("/search/", 200), ("/api/search", 200), ("/api/search", 429), ("/api/programs", 200),
                ("/organizations/a/", 200), ("/programs/b/", 404), ("/static/css/madoguchi.css", 200)]
    got = http.served(answered)
    assert got["logged"] == 8 and got["statuses"] == {"200": 6, "404": 1, "429": 1}
    assert got["shares"]["search-api"] == 25.0
    assert {http.category(p) for p, _ in answered} == {*http.MIX_SHARES, "static"}
