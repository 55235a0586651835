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


# --- the worker's step and its listing -------------------------------------------------------------

def _command() -> tuple[Any, StringIO, StringIO]:
    from django.core.management.base import OutputWrapper

    from madoguchi.platform.management.commands.worker import Command

    out, err = StringIO(), StringIO()
    command = Command(stdout=out, stderr=err)
    command.stdout, command.stderr = OutputWrapper(out), OutputWrapper(err)
    command.scheduler = jobs.Scheduler("test-worker")
    return command, out, err


def test_one_step_of_the_loop_runs_a_due_job_and_logs_its_count_and_duration(
    db: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time_machine

    monkeypatch.setattr(jobs, "_jobs", {})
    done: list[int] = []

    def digest() -> jobs.Result:
        done.append(1)
        return jobs.Result(12, "ダイジェスト 12 件")

    jobs.register("digest", daily="07:00", run=digest)
    command, out, _err = _command()
    with time_machine.travel("2026-05-01 06:00 +0900", tick=False) as clock:
        assert command.run_jobs() == []
        clock.move_to("2026-05-01 07:00 +0900")
        (ran,) = command.run_jobs()
    assert ran.name == "digest" and ran.result == jobs.Result(12, "ダイジェスト 12 件") and done == [1]
    assert out.getvalue().strip() == "定期処理 digest: 12 件、0.0 秒 ダイジェスト 12 件"


def test_a_failing_job_is_reported_on_stderr_and_the_step_goes_on(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "_jobs", {})

    def broken() -> str:
        raise RuntimeError("壊れた")

    jobs.register("broken", every=60, run=broken)
    jobs.register("fine", every=60, run=lambda: "動いた")
    command, out, err = _command()
    assert [run.name for run in command.run_jobs()] == ["broken", "fine"]
    assert "定期処理 broken が失敗しました" in err.getvalue() and "壊れた" in err.getvalue()
    assert "定期処理 fine: 0.0 秒 動いた" in out.getvalue()


def test_list_jobs_shows_each_schedule_with_its_last_and_next_run(db: None, settings: Any) -> None:
    import time_machine

    settings.WORKER_SCHEDULE = {"match-all": "02:00", "remind-stale": "off"}
    with time_machine.travel("2026-05-01 12:00 +0900", tick=False):
        call_command("worker", stdout=StringIO())  # a first pass: the interval jobs run, the rest wait
        out = StringIO()
        call_command("worker", "--list-jobs", stdout=out)
    lines = {line.split("\t")[0]: line.split("\t")[1:] for line in out.getvalue().splitlines()}
    assert set(lines) == {job.name for job in jobs.registered()}
    assert lines["match-all"][:3] == ["毎日 02:00（WORKER_SCHEDULE）", "前回 -", "次回 2026-05-02 02:00"]
    assert lines["remind-stale"][:3] == ["停止中（WORKER_SCHEDULE）", "前回 -", "次回 -"]
    assert lines["overdue-referrals"][:3] == ["5 分ごと", "前回 2026-05-01 12:00", "次回 2026-05-01 12:05"]
    assert lines["overdue-referrals"][3].startswith("結果 0 件")
    assert lines["send-event-digests"][:3] == ["毎日 07:00", "前回 -", "次回 2026-05-02 07:00"]


# transaction=True: the loop closes stale connections between passes, as a long-running process must.
@pytest.mark.django_db(transaction=True)
def test_the_loop_runs_the_schedule_and_stops_on_sigterm_after_the_job_in_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    monkeypatch.setattr(jobs, "_jobs", {})
    runs: list[int] = []

    def job_then_sigterm() -> jobs.Result:
        runs.append(1)
        os.kill(os.getpid(), signal.SIGTERM)  # as systemd would, in the middle of the job
        return jobs.Result(1)

    jobs.register("sweep", every=60, run=job_then_sigterm)
    previous = signal.getsignal(signal.SIGTERM)
    out = StringIO()
    try:
        call_command("worker", "--loop", "--sleep", "0.1", stdout=out)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert runs == [1]
    assert "定期処理 sweep: 1 件" in out.getvalue() and "worker を停止しました" in out.getvalue()
    from madoguchi.platform.models import JobRun

    row = JobRun.objects.get(name="sweep")
    assert row.holder == "" and row.last_finished is not None  # released before stopping
