"""`madoguchi bench http` for real, briefly: gunicorn started, wrk for 2 s on the static file and the
search API, no errors. About 25 s (most of it migrating the throw-away database)."""

from __future__ import annotations

import io
import json
import os

import pytest

from madoguchi.bench import http, wrk

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.mark.load
def test_the_server_answers_the_static_file_and_the_search_api_without_errors() -> None:
    if wrk.find_wrk() is None:
        if IN_CI:
            pytest.fail("CI=true but wrk is missing: apt-get install wrk (.ci/run installs it)")
        pytest.skip("skipped: needs wrk (apt-get install wrk)")
    out = io.StringIO()
    code = http.run(["--seconds", "2", "--warmup", "1", "--connections", "10", "--workers", "2",
                     "--scenarios", "static,search-api", "--json"], stdout=out)
    assert code == 0
    result = json.loads(out.getvalue())
    assert result["server"]["workers"] == 2
    for name in ("static", "search-api"):
        figures = result["scenarios"][name]
        assert figures["requests"] > 0, figures
        assert figures["errors"] == 0, figures
