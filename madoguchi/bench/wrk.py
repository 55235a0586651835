"""wrk for `madoguchi bench http`: the Lua script of one scenario's request mix, and its figures.

wrk (Debian package `wrk`) is an HTTP load generator in C; it runs in its own process, so the
Python that measures does not compete with the server for the GIL. The script below makes wrk
walk a fixed list of paths in order (each thread from its own place in it), so a category's share
of the requests is its share of the list, and prints one JSON line with the figures at the end
(wrk's own summary has no p95).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

MARKER = "MADOGUCHI-WRK "
INSTALL_HINT = (
    "wrk が見つかりません。`apt-get install wrk` でインストールしてください。 / "
    "wrk was not found: install it with `apt-get install wrk`."
)
# What every request carries: the TLS proxy's word that it came over https (gunicorn believes it
# from 127.0.0.1, as behind nginx), and what a browser in Japan sends.
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip", "Accept-Language": "ja"}

_LUA_HEAD = """\
-- madoguchi bench http: scenario "{name}" ({count} requests, walked in order; generated, do not edit)
-- Each line: a path, then its category (the shares are what the unit test checks).
local paths = {{
"""
_LUA_TAIL = """\
}}
{headers}
local prepared = {{}}
local i = 0
local threads = {{}}

function setup(thread)
  -- threads start at different places in the list, so they do not ask the same thing at once
  thread:set("offset", #threads * math.floor(#paths / {threads}))
  table.insert(threads, thread)
end

function init(args)
  for n, path in ipairs(paths) do prepared[n] = wrk.format("GET", path) end
  i = offset or 0
end

function request()
  i = i + 1
  return prepared[(i % #prepared) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{marker}{{"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, "connect": %.0f, "read": %.0f, '
    .. '"write": %.0f, "status": %.0f, "timeout": %.0f, "p50_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, '
    .. '"mean_us": %.1f, "max_us": %.0f}}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_script(name: str, requests: Sequence[tuple[str, str]], *, threads: int = 2) -> str:
    """The wrk script asking `requests` ((category, path) pairs) in order, over and over."""
    if not requests:
        raise ValueError(f"scenario {name!r} has no requests")
    lines = [_LUA_HEAD.format(name=name, count=len(requests))]
    lines += [f"  {_lua_string(path)},  -- {category}\n" for category, path in requests]
    headers = "\n".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in HEADERS.items())
    lines.append(_LUA_TAIL.format(headers=headers, threads=max(1, threads), marker=MARKER))
    return "".join(lines)


_LINE = re.compile(r'^\s*"((?:[^"\\]|\\.)*)",\s*--\s*(\S+)\s*$')


def script_requests(script: str) -> list[tuple[str, str]]:
    """The (category, path) pairs of a script written by lua_script, in order."""
    return [(m.group(2), m.group(1).replace('\\"', '"').replace("\\\\", "\\"))
            for m in map(_LINE.match, script.splitlines()) if m]


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: int  # every one below
    status_errors: int  # answers 400 and above (wrk counts 2xx and 3xx as answered)
    socket_errors: dict[str, int]  # connect, read, write, timeout

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def parse_output(text: str) -> Figures:
    """The figures from wrk's output (the JSON line our script's done() prints)."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            raw = json.loads(line[len(MARKER):])
            break
    else:
        raise ValueError("wrk の出力に計測結果の行がありません / no figures in wrk's output:\n" + text[-2000:])
    seconds = raw["duration_us"] / 1e6
    sockets = {k: int(raw[k]) for k in ("connect", "read", "write", "timeout")}
    status = int(raw["status"])
    requests = int(raw["requests"])
    return Figures(
        requests=requests, seconds=round(seconds, 2), requests_per_s=round(requests / seconds if seconds else 0.0, 1),
        p50_ms=round(raw["p50_us"] / 1000, 2), p95_ms=round(raw["p95_us"] / 1000, 2),
        p99_ms=round(raw["p99_us"] / 1000, 2), mean_ms=round(raw["mean_us"] / 1000, 2),
        max_ms=round(raw["max_us"] / 1000, 2), errors=status + sum(sockets.values()), status_errors=status,
        socket_errors=sockets,
    )


def find_wrk() -> str | None:
    return shutil.which("wrk")


def command(wrk: str, url: str, script: Path, *, seconds: float, connections: int, threads: int,
            timeout: float) -> list[str]:
    # wrk needs at least one connection per thread.
    threads = max(1, min(threads, connections))
    return [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={max(1, round(timeout))}s",
            "-s", str(script), url]


def run(cmd: Iterable[str]) -> tuple[Figures, str]:
    """Run wrk (in a session of its own: a Ctrl-C reaches us, and we stop it); its figures and output."""
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"wrk が失敗しました（終了コード {proc.returncode}） / wrk failed:\n{out[-2000:]}")
    return parse_output(out), out
