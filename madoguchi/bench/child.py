"""Run one measurement in a child process: each system gets a fresh interpreter, so one's
memory and caches never count against another's."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any, TextIO


def _every_line(line: str) -> bool:
    return True


def run_child(cmd: list[str], env: dict[str, str], progress: TextIO, failure: str,
              relay: Callable[[str], bool] = _every_line) -> dict[str, Any]:
    """Return the JSON object on the child's last stdout line; its stderr lines that `relay`
    accepts are passed on to `progress` as they come. RuntimeError(`failure` + the child's last
    20 stderr lines) when the child exits non-zero."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None and proc.stdout is not None
    err = []
    for line in proc.stderr:
        err.append(line)
        if relay(line):
            progress.write(line)
            progress.flush()
    out = proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError(failure + "\n" + "".join(err[-20:]))
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result
