"""The schedule the `madoguchi worker` runs beside the mail queue: jobs registered by their apps.

The worker lives in platform, below every app, so it cannot import the apps' work; each app
registers its own jobs from its AppConfig.ready() (cases: overdue referrals every 5 minutes and
the anonymisation of old cases at 03:15; see README *Background work* for the whole table). A job
has a name, a schedule (platform/schedule.py) and a callable doing one pass, which returns a
`Result` (how many things it did, and the line the worker prints) or just the line.

Each job has a row in platform.JobRun. A worker takes a job with one filtered UPDATE — the row is
free (no lock, or the lock has run out) and the job is due (its last successful run is older
than the schedule's latest time) — that must change exactly one row, so two workers never run
the same job, and a daily job runs once a day even with two workers. The lock lasts the job's
`max_duration` from its start, so a worker that died mid-job holds it no longer than that. A job
that raises is retried after RETRY_AFTER; a database error escapes to the worker, which
reconnects, writes the failure it still owes, and goes on.

The times are the app's defaults; settings.WORKER_SCHEDULE ({"match-all": "02:00", ...}, from the
environment variable of that name) moves a job or turns it off. All times come from
timezone.now(), on every worker the same clock (NTP), compared with what other workers wrote.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from madoguchi.platform import schedule as schedules
from madoguchi.platform.models import JobRun
from madoguchi.platform.schedule import Schedule

log = logging.getLogger("madoguchi.worker")

DB_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = dt.timedelta(minutes=5)  # after a job raised: soon enough, and no storm of retries
DEFAULT_MAX_DURATION = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Result:
    count: int | None  # things done: mails queued, rows anonymised, listings refreshed (None: not counted)
    line: str = ""  # what the worker prints after the count (empty: the count says it all)


@dataclass(frozen=True)
class Job:
    name: str
    default: Schedule
    run: Callable[[], Result | str]
    max_duration: dt.timedelta = DEFAULT_MAX_DURATION

    @property
    def every(self) -> float | None:
        """Seconds between runs of an interval job (None for a daily or weekly one)."""
        return self.default.seconds if isinstance(self.default, schedules.Every) else None


_jobs: dict[str, Job] = {}


def register(name: str, *, run: Callable[[], Result | str], every: float | None = None, daily: str | None = None,
             weekly: str | None = None, max_duration: float | None = None) -> None:
    """Add (or replace, by name: ready() may run twice in tests) a job for the worker.

    Exactly one of `every` (seconds), `daily` ("HH:MM") or `weekly` ("mon HH:MM"); times are in
    settings.TIME_ZONE. `max_duration` (seconds) bounds how long a run may hold the job.
    """
    given = [kind for kind in (every, daily, weekly) if kind is not None]
    if len(given) != 1:
        raise ValueError(f"job {name}: give exactly one of every=, daily=, weekly=")
    default: Schedule | None = schedules.Every(float(every)) if every is not None else schedules.parse(str(given[0]))
    if default is None:
        raise ValueError(f"job {name}: a default schedule cannot be 'off'")
    limit = dt.timedelta(seconds=max_duration) if max_duration is not None else DEFAULT_MAX_DURATION
    _jobs[name] = Job(name, default, run, limit)


def registered() -> list[Job]:
    """The jobs in the order they were first registered (app order in INSTALLED_APPS)."""
    return list(_jobs.values())


def schedule_of(job: Job) -> Schedule | None:
    """The job's schedule after settings.WORKER_SCHEDULE; None when it is turned off there."""
    override = (getattr(settings, "WORKER_SCHEDULE", None) or {}).get(job.name)
    return job.default if override is None else schedules.parse(override)


# --- the rows: due, claim, release ---------------------------------------------------------------

def ensure_rows(names: list[str], now: dt.datetime) -> None:
    """A row for every job (first seen now); two workers adding the same one at once is harmless."""
    missing = set(names) - set(JobRun.objects.filter(name__in=names).values_list("name", flat=True))
    if missing:
        JobRun.objects.bulk_create([JobRun(name=name, created=now) for name in sorted(missing)], ignore_conflicts=True)


def _due(schedule: Schedule, now: dt.datetime) -> Q:
    """The job's last successful run is older than the schedule's latest time (one run catches
    up however many times were missed); a job never run is due at once if it runs by the clock
    of an interval, else at its first time after the row was made."""
    latest = schedule.latest(now)
    never = Q(last_finished__isnull=True)
    if schedule.calendar:
        never &= Q(created__lt=latest)
    return Q(last_finished__lt=latest) | never


def _free(now: dt.datetime) -> Q:
    return Q(locked_until__isnull=True) | Q(locked_until__lte=now)


def is_due(row: JobRun, schedule: Schedule, now: dt.datetime) -> bool:
    """What the claim's filter says, for one row in hand (the claim itself decides)."""
    if row.locked_until is not None and row.locked_until > now:
        return False
    latest = schedule.latest(now)
    if row.last_finished is None:
        return not schedule.calendar or row.created < latest
    return row.last_finished < latest


def next_run(row: JobRun | None, schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """When the job is next due: `is_due` turns true then (now, if it is due already)."""
    last = row.last_finished if row is not None else None
    if last is not None:
        due = schedule.next_after(last)
    elif schedule.calendar:
        due = schedule.next_after(row.created if row is not None else now)
    else:
        due = now
    if row is not None and row.locked_until is not None:
        due = max(due, row.locked_until)
    return max(due, now)


def claim(job: Job, schedule: Schedule, holder: str, now: dt.datetime) -> bool:
    """Take the job if it is free and due; True only for the one worker whose UPDATE changed the row."""
    taken = JobRun.objects.filter(_free(now), _due(schedule, now), name=job.name).update(
        locked_until=now + job.max_duration, holder=holder, last_started=now, schedule=schedule.spec,
    )
    return taken == 1


def release(job: Job, holder: str, result: Result, finished: dt.datetime) -> None:
    """Record a successful run and free the job; only the holder may (a worker that outlived its
    lock finds the job taken over, and says so)."""
    released = JobRun.objects.filter(name=job.name, holder=holder).update(
        locked_until=None, holder="", last_finished=finished, last_count=result.count,
        last_line=result.line[:500], last_error="",
    )
    if not released:
        log.warning("job %s finished after its lock ran out (max_duration %s); another worker may have run it too",
                    job.name, job.max_duration)


def fail(job: Job, holder: str, error: BaseException, now: dt.datetime) -> None:
    """Record a failed run; nobody tries again before RETRY_AFTER (and never later than the
    lock would have ended anyway)."""
    JobRun.objects.filter(name=job.name, holder=holder).update(
        locked_until=now + min(RETRY_AFTER, job.max_duration), holder="",
        last_error=f"{error.__class__.__name__}: {error}"[:2000],
    )


# --- running them --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ran:
    """One run of a job by this worker: its result, or the error it raised."""

    name: str
    seconds: float
    result: Result | None
    error: BaseException | None = None


def holder_name() -> str:
    """Which worker holds a job: host and process, and a random part for a restarted process."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Scheduler:
    """Runs the due jobs one after another for one worker process.

    A database error propagates to the caller (the worker reconnects and calls again); the
    release or failure it could not write is kept and written first on the next call, so a
    database restart in the middle of a job does not leave the job locked until its lease ends.
    """

    def __init__(self, holder: str | None = None) -> None:
        self.holder = holder or holder_name()
        self.unwritten: Callable[[], None] | None = None

    def run_due(self, should_stop: Callable[[], bool] = lambda: False) -> list[Ran]:
        """Run each job that is due and free now; returns what ran, in order."""
        if self.unwritten is not None:
            self.unwritten()
            self.unwritten = None
        jobs = registered()
        if not jobs:
            return []
        ensure_rows([job.name for job in jobs], timezone.now())
        rows = {row.name: row for row in JobRun.objects.filter(name__in=[job.name for job in jobs])}
        ran: list[Ran] = []
        for job in jobs:
            if should_stop():
                break
            schedule = schedule_of(job)
            now = timezone.now()
            if schedule is None or job.name not in rows or not is_due(rows[job.name], schedule, now):
                continue
            if not claim(job, schedule, self.holder, now):
                continue  # another worker has it, or has just run it
            ran.append(self._run(job))
        return ran

    def _run(self, job: Job) -> Ran:
        started = time.monotonic()
        try:
            outcome = job.run()
        except Exception as exc:  # one job's failure must not stop the mail or the other jobs
            seconds = time.monotonic() - started
            self._write(functools.partial(fail, job, self.holder, exc, timezone.now()))
            if isinstance(exc, DB_ERRORS):
                raise
            log.exception("job %s failed after %.1f s", job.name, seconds, extra={"job": job.name})
            return Ran(job.name, seconds, None, exc)
        result = outcome if isinstance(outcome, Result) else Result(count=None, line=outcome)
        seconds = time.monotonic() - started
        finished = timezone.now()
        self._write(functools.partial(release, job, self.holder, result, finished))
        return Ran(job.name, seconds, result)

    def _write(self, write: Callable[[], None]) -> None:
        try:
            write()
        except DB_ERRORS:
            self.unwritten = write
            raise
