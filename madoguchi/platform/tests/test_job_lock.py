"""The schedule's lock (platform/jobs.py, platform.JobRun): due or not, one worker at a time,
a crashed worker's lock runs out, a missed day is caught up once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import OperationalError, connections

from madoguchi.platform import checks, jobs
from madoguchi.platform.jobs import Result, Scheduler
from madoguchi.platform.models import JobRun

JST = ZoneInfo("Asia/Tokyo")


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=JST)


@pytest.fixture
def only_test_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The schedule holds only the jobs the test registers (the apps' own jobs are not run)."""
    monkeypatch.setattr(jobs, "_jobs", {})


class Counter:
    """A job that counts its runs; `during` is called inside the run (while the lock is held)."""

    def __init__(self, during: Callable[[], None] | None = None) -> None:
        self.runs: list[dt.datetime] = []
        self.during = during

    def __call__(self) -> Result:
        from django.utils import timezone

        self.runs.append(timezone.now())
        if self.during is not None:
            self.during()
        return Result(len(self.runs), "テスト")


@pytest.fixture
def nightly(only_test_jobs: None) -> Counter:
    counter = Counter()
    jobs.register("nightly", daily="01:30", run=counter, max_duration=3600)
    return counter


def names(ran: list[jobs.Ran]) -> list[str]:
    return [run.name for run in ran]


def test_a_daily_job_seen_first_waits_for_its_time_then_runs_once_a_day(db: None, nightly: Counter) -> None:
    with time_machine.travel(jst(2026, 5, 1, 10, 0), tick=False) as clock:
        assert Scheduler().run_due() == []  # a new installation does not run the night's work at noon
        clock.move_to(jst(2026, 5, 2, 1, 29, 59))
        assert Scheduler().run_due() == []
        clock.move_to(jst(2026, 5, 2, 1, 30))
        assert names(Scheduler().run_due()) == ["nightly"]
        clock.move_to(jst(2026, 5, 2, 1, 31))
        assert Scheduler().run_due() == []
        clock.move_to(jst(2026, 5, 2, 23, 59))
        assert Scheduler().run_due() == []
        clock.move_to(jst(2026, 5, 3, 1, 30))
        assert names(Scheduler().run_due()) == ["nightly"]
    assert nightly.runs == [jst(2026, 5, 2, 1, 30), jst(2026, 5, 3, 1, 30)]
    row = JobRun.objects.get(name="nightly")
    assert (row.last_count, row.last_line, row.locked_until, row.holder, row.schedule) == (2, "テスト", None, "", "01:30")


def test_an_interval_job_runs_at_once_then_every_n_seconds(db: None, only_test_jobs: None) -> None:
    counter = Counter()
    jobs.register("sweep", every=300, run=counter)
    with time_machine.travel(jst(2026, 5, 1, 23, 58), tick=False) as clock:
        worker = Scheduler()
        assert names(worker.run_due()) == ["sweep"]
        clock.shift(299)
        assert worker.run_due() == []
        clock.shift(2)  # past midnight: an interval does not care
        assert names(worker.run_due()) == ["sweep"]
    assert len(counter.runs) == 2


def test_two_workers_never_both_run_a_job(db: None, only_test_jobs: None) -> None:
    other = Scheduler("worker-b")
    seen_by_other: list[list[jobs.Ran]] = []
    # While worker A runs the job (its lock held), worker B looks at the schedule.
    counter = Counter(during=lambda: seen_by_other.append(other.run_due()))
    jobs.register("sweep", every=300, run=counter)
    with time_machine.travel(jst(2026, 5, 1, 12, 0), tick=False):
        ran = Scheduler("worker-a").run_due()
        assert names(ran) == ["sweep"]
        assert seen_by_other == [[]]
        assert other.run_due() == []  # and after A finished, the job is not due again for 5 minutes
    assert len(counter.runs) == 1


def test_a_daily_job_runs_once_with_two_workers(db: None, nightly: Counter) -> None:
    a, b = Scheduler("worker-a"), Scheduler("worker-b")
    with time_machine.travel(jst(2026, 5, 1, 0, 0), tick=False) as clock:
        a.run_due()
        b.run_due()  # both saw the job first at midnight
        clock.move_to(jst(2026, 5, 1, 1, 30))
        assert names(a.run_due()) == ["nightly"]
        clock.move_to(jst(2026, 5, 1, 1, 30, 1))
        assert b.run_due() == []
        clock.move_to(jst(2026, 5, 1, 9, 0))
        assert a.run_due() == [] and b.run_due() == []
    assert len(nightly.runs) == 1


def test_a_crashed_workers_lock_runs_out_after_the_jobs_max_duration(db: None, nightly: Counter) -> None:
    with time_machine.travel(jst(2026, 5, 1, 0, 0), tick=False) as clock:
        jobs.ensure_rows(["nightly"], jst(2026, 4, 30, 0, 0))
        clock.move_to(jst(2026, 5, 1, 1, 30))
        job = jobs.registered()[0]
        schedule = jobs.schedule_of(job)
        assert schedule is not None
        # Worker A takes the job and dies before it finishes: nobody releases the lock.
        assert jobs.claim(job, schedule, "worker-a", jst(2026, 5, 1, 1, 30)) is True
        assert jobs.claim(job, schedule, "worker-b", jst(2026, 5, 1, 1, 30)) is False
        clock.move_to(jst(2026, 5, 1, 2, 29, 59))
        assert Scheduler("worker-b").run_due() == []
        clock.move_to(jst(2026, 5, 1, 2, 30))  # start + max_duration (1 hour)
        assert names(Scheduler("worker-b").run_due()) == ["nightly"]
    assert nightly.runs == [jst(2026, 5, 1, 2, 30)]


def test_a_worker_that_outlived_its_lock_does_not_release_the_new_holder(db: None, nightly: Counter) -> None:
    job = nightly_job()
    schedule = jobs.schedule_of(job)
    assert schedule is not None
    with time_machine.travel(jst(2026, 5, 1, 1, 30), tick=False):
        jobs.ensure_rows(["nightly"], jst(2026, 4, 30, 0, 0))
        assert jobs.claim(job, schedule, "worker-a", jst(2026, 5, 1, 1, 30))
        assert jobs.claim(job, schedule, "worker-b", jst(2026, 5, 1, 2, 31))
        jobs.release(job, "worker-a", Result(1), jst(2026, 5, 1, 2, 40))
        row = JobRun.objects.get(name="nightly")
        assert row.holder == "worker-b" and row.last_finished is None


def nightly_job() -> jobs.Job:
    return next(job for job in jobs.registered() if job.name == "nightly")


def test_a_worker_down_for_days_catches_up_once_not_once_per_missed_day(db: None, nightly: Counter) -> None:
    with time_machine.travel(jst(2026, 5, 1, 0, 0), tick=False) as clock:
        Scheduler().run_due()
        clock.move_to(jst(2026, 5, 1, 1, 30))
        assert names(Scheduler().run_due()) == ["nightly"]
        clock.move_to(jst(2026, 5, 4, 10, 0))  # down on the 2nd, 3rd and 4th at 01:30
        assert names(Scheduler().run_due()) == ["nightly"]
        clock.move_to(jst(2026, 5, 4, 10, 15))
        assert Scheduler().run_due() == []
        clock.move_to(jst(2026, 5, 5, 1, 30))
        assert names(Scheduler().run_due()) == ["nightly"]
    assert nightly.runs == [jst(2026, 5, 1, 1, 30), jst(2026, 5, 4, 10, 0), jst(2026, 5, 5, 1, 30)]


def test_a_failing_job_is_recorded_and_retried_later_without_stopping_the_others(db: None, only_test_jobs: None) -> None:
    attempts: list[int] = []

    def broken() -> Result:
        attempts.append(1)
        raise ValueError("壊れた")

    after = Counter()
    jobs.register("broken", every=60, run=broken)
    jobs.register("after", every=60, run=after)
    with time_machine.travel(jst(2026, 5, 1, 12, 0), tick=False) as clock:
        ran = Scheduler().run_due()
        assert [(run.name, run.result is None) for run in ran] == [("broken", True), ("after", False)]
        row = JobRun.objects.get(name="broken")
        assert row.last_error == "ValueError: 壊れた" and row.last_finished is None and row.holder == ""
        clock.shift(61)
        assert names(Scheduler().run_due()) == ["after"]  # the broken one waits RETRY_AFTER (5 minutes)
        clock.shift(240)
        assert names(Scheduler().run_due()) == ["broken", "after"]
    assert len(attempts) == 2


def test_a_release_lost_to_a_database_error_is_written_on_the_next_call(
    db: None, only_test_jobs: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    counter = Counter()
    jobs.register("sweep", every=300, run=counter)
    real_release = jobs.release
    calls: list[int] = []

    def release_once_broken(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        real_release(*args)

    monkeypatch.setattr(jobs, "release", release_once_broken)
    worker = Scheduler("worker-a")
    with time_machine.travel(jst(2026, 5, 1, 12, 0), tick=False) as clock:
        with pytest.raises(OperationalError):
            worker.run_due()
        assert JobRun.objects.get(name="sweep").holder == "worker-a"  # still held
        clock.shift(10)
        assert worker.run_due() == []  # writes the release first; not due again for 5 minutes
    row = JobRun.objects.get(name="sweep")
    assert (row.holder, row.locked_until, row.last_finished) == ("", None, jst(2026, 5, 1, 12, 0))
    assert len(counter.runs) == 1


def test_worker_schedule_moves_or_stops_a_job(db: None, nightly: Counter, settings: Any) -> None:
    settings.WORKER_SCHEDULE = {"nightly": "02:00"}
    with time_machine.travel(jst(2026, 5, 1, 0, 0), tick=False) as clock:
        Scheduler().run_due()
        clock.move_to(jst(2026, 5, 1, 1, 30))
        assert Scheduler().run_due() == []
        clock.move_to(jst(2026, 5, 1, 2, 0))
        assert names(Scheduler().run_due()) == ["nightly"]
        settings.WORKER_SCHEDULE = {"nightly": "off"}
        clock.move_to(jst(2026, 5, 3, 2, 0))
        assert Scheduler().run_due() == []
    assert JobRun.objects.get(name="nightly").schedule == "02:00"


def test_a_schedule_nobody_can_read_is_a_system_error(settings: Any) -> None:
    settings.WORKER_SCHEDULE = {"match-all": "25:00", "no-such-job": "01:00", "remind-stale": "tue 09:00"}
    errors = checks.worker_schedule_is_readable()
    assert {e.id for e in errors} == {"madoguchi.E021"}
    assert len(errors) == 2
    assert any("25:00" in e.msg for e in errors) and any("no-such-job" in e.msg for e in errors)


def test_a_retention_under_a_day_is_a_system_error(settings: Any) -> None:
    settings.RATELIMIT_RETENTION_DAYS = 0
    assert [e.id for e in checks.retention_is_at_least_a_day()] == ["madoguchi.E022"]


def test_register_needs_exactly_one_kind_of_schedule(only_test_jobs: None) -> None:
    with pytest.raises(ValueError):
        jobs.register("x", run=Counter())
    with pytest.raises(ValueError):
        jobs.register("x", run=Counter(), every=60, daily="01:00")
    with pytest.raises(ValueError):
        jobs.register("x", run=Counter(), daily="off")


def test_the_apps_register_the_whole_schedule() -> None:
    schedule = {job.name: job.default.spec for job in jobs.registered()}
    assert schedule == {
        "prune": "04:00", "overdue-referrals": "5m", "anonymise-cases": "03:15", "match-stale": "5m",
        "match-all": "01:30", "send-event-digests": "07:00", "anonymise-registrations": "03:20",
        "send-program-alerts": "07:30", "remind-stale": "mon 08:00",
    }


# --- PostgreSQL: two workers in real concurrent transactions, each on its own connection --------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgres_two_workers_at_the_same_moment_run_a_job_once(only_test_jobs: None) -> None:
    runs: list[str] = []

    def slow() -> Result:
        runs.append(threading.current_thread().name)
        time.sleep(0.3)  # the other worker looks while this one holds the job
        return Result(1)

    jobs.register("sweep", every=300, run=slow)
    jobs.ensure_rows(["sweep"], jst(2026, 5, 1, 0, 0))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def worker(name: str) -> None:
        try:
            scheduler = Scheduler(name)
            barrier.wait()
            outcomes.append(names(scheduler.run_due()))
        except BaseException as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,), name=name) for name in ("worker-a", "worker-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == ["['sweep']", "[]"]
    assert len(runs) == 1
    row = JobRun.objects.get(name="sweep")
    assert row.holder == "" and row.last_count == 1
