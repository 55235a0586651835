"""The worker runs the periodic jobs apps register (platform/jobs.py) beside the mail queue."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from madoguchi.platform import jobs


@pytest.fixture
def a_job() -> Any:
    runs: list[int] = []

    def run() -> str:
        runs.append(1)
        return f"テストの定期処理 {len(runs)} 回目"

    jobs.register("test-job", every=3600, run=run)
    yield runs
    jobs._jobs.pop("test-job", None)


def test_cases_registers_the_overdue_sweep() -> None:
    assert "overdue-referrals" in [job.name for job in jobs.registered()]


def test_one_pass_runs_every_job_once_and_prints_its_line(db: None, a_job: list[int]) -> None:
    out = StringIO()
    call_command("worker", stdout=out)
    assert a_job == [1]
    assert "テストの定期処理 1 回目" in out.getvalue()


def test_registering_a_name_again_replaces_the_job(a_job: list[int]) -> None:
    jobs.register("test-job", every=60, run=lambda: "")
    assert [job.every for job in jobs.registered() if job.name == "test-job"] == [60]
