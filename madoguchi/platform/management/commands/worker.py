"""`madoguchi worker`: send queued email and run the schedule of background jobs (platform/jobs.py:
matching, digests, alerts, reminders, anonymisation, pruning — each app registers its own).

Database rows are the queue (platform/mail.py, which also states the delivery guarantee) and the
schedule's locks (platform.JobRun): two workers may run side by side, and neither sends a mail
or runs a job the other has. With --loop it runs until SIGTERM/SIGINT: the flag is looked at
between messages and between jobs, so it stops after the email or job in hand (a hung server is
bounded by EMAIL_TIMEOUT; a job is not interrupted, and one killed mid-run is free again when its
lock runs out). A lost database connection (a PostgreSQL restart, a failover) is logged and
retried with backoff instead of ending the loop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone

from madoguchi.platform import jobs
from madoguchi.platform.mail import Sender
from madoguchi.platform.models import JobRun

log = logging.getLogger("madoguchi.worker")

REPORT_EVERY = 50  # print a count at least this often while draining a long queue
DB_ERRORS = (OperationalError, InterfaceError)
RECONNECT_FIRST, RECONNECT_MAX = 0.5, 30.0  # seconds; doubled after each failed try
# How often the loop looks at the schedule (one SELECT): often enough for "every 5 minutes" and
# "at 01:30", rarely enough that a busy mail queue is not slowed by it.
SCHEDULE_EVERY = 15.0


class Command(BaseCommand):
    help = "送信待ちのメールを送り、定期処理（マッチング、ダイジェスト、匿名化、古い記録の削除など）を予定どおりに行います（--loop で常駐）。"

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--loop", action="store_true", help="停止されるまで繰り返す")
        mode.add_argument("--once", action="store_true", help="予定の来た定期処理と送信待ちのメールを一度だけ処理する（既定）")
        mode.add_argument("--list-jobs", action="store_true", help="定期処理の一覧（予定、前回、次回）を表示する")
        parser.add_argument("--sleep", type=float, default=2.0, help="仕事がないときの待ち時間（秒）")
        parser.add_argument("--lease", type=float, default=None,
                            help="1通の送信を預かる時間（秒）。過ぎると別の worker が送り直す（既定: EMAIL_TIMEOUT の10倍）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_jobs"]:
            self._list_jobs()
            return
        self.stopping = False

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        hold = dt.timedelta(seconds=options["lease"]) if options["lease"] else None
        sender = Sender(hold)
        self.scheduler = jobs.Scheduler()
        try:
            if options["loop"]:
                self._loop(sender, options["sleep"])
            else:
                self._one_pass(sender)
        finally:
            sender.close()
        self.stdout.write("worker を停止しました。")

    def _one_pass(self, sender: Sender) -> None:
        try:
            self.run_jobs()
            sent = 0
            while sent < 1000 and not self.stopping and sender.send_next():
                sent += 1
        except DB_ERRORS as exc:
            raise CommandError(f"データベースに接続できません: {exc}") from exc
        if sent:
            self.stdout.write(f"メール {sent} 件を処理しました。")

    def _loop(self, sender: Sender, idle_sleep: float) -> None:
        next_schedule = 0.0  # monotonic time of the next look at the schedule: at once
        sent = 0
        outage_since: float | None = None
        retry_in = RECONNECT_FIRST
        while not self.stopping:
            try:
                if time.monotonic() >= next_schedule:
                    self.run_jobs()  # between mail batches: the mail in hand is already recorded
                    next_schedule = time.monotonic() + SCHEDULE_EVERY
                busy = not self.stopping and sender.send_next()
            except DB_ERRORS as exc:
                if outage_since is None:
                    outage_since = time.monotonic()
                log.warning("database unavailable (%s: %s); reconnecting in %.1f s",
                            exc.__class__.__name__, str(exc).strip().splitlines()[0] if str(exc).strip() else "", retry_in)
                _drop_database_connection()
                sender.close()  # the SMTP server would time the idle connection out meanwhile
                self._sleep(retry_in)
                retry_in = min(retry_in * 2, RECONNECT_MAX)
                continue
            if outage_since is not None:
                log.warning("database connection restored after %.1f s", time.monotonic() - outage_since)
                outage_since, retry_in = None, RECONNECT_FIRST
            if busy:
                sent += 1
                if sent >= REPORT_EVERY:
                    self._report(sent)
                    sent = 0
                continue  # the stop flag is looked at before the next message
            self._report(sent)
            sent = 0
            close_old_connections()
            self._sleep(idle_sleep)
        self._report(sent)

    def run_jobs(self) -> list[jobs.Ran]:
        """One look at the schedule: run what is due, a line each; returns what ran (tests call this)."""
        ran = self.scheduler.run_due(should_stop=lambda: getattr(self, "stopping", False))
        for run in ran:
            if run.result is None:
                self.stderr.write(f"定期処理 {run.name} が失敗しました（{run.seconds:.1f} 秒）: {run.error!r}")
                continue
            count = "" if run.result.count is None else f"{run.result.count} 件、"
            detail = f" {run.result.line}" if run.result.line else ""
            self.stdout.write(f"定期処理 {run.name}: {count}{run.seconds:.1f} 秒{detail}")
            log.info("job %s done in %.1f s", run.name, run.seconds,
                     extra={"job": run.name, "count": run.result.count, "duration_ms": round(run.seconds * 1000)})
        return ran

    def _report(self, sent: int) -> None:
        if sent:
            self.stdout.write(f"メール {sent} 件を処理しました。")

    def _sleep(self, seconds: float) -> None:
        """Sleep in short steps so SIGTERM is honoured promptly."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stopping:
            time.sleep(0.1)

    def _list_jobs(self) -> None:
        now = timezone.now()
        rows = {row.name: row for row in JobRun.objects.all()}

        def when(moment: dt.datetime | None) -> str:
            return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "-"

        for job in jobs.registered():
            schedule = jobs.schedule_of(job)
            row = rows.get(job.name)
            if schedule is None:
                plan, upcoming = "停止中（WORKER_SCHEDULE）", "-"
            else:
                plan = schedule.describe() + ("" if schedule == job.default else "（WORKER_SCHEDULE）")
                upcoming = when(jobs.next_run(row, schedule, now))
            self.stdout.write(f"{job.name}\t{plan}\t前回 {when(row.last_started if row else None)}"
                              f"\t次回 {upcoming}{_state(row, now)}")


def _state(row: JobRun | None, now: dt.datetime) -> str:
    """What a person should know beside the times: the last result, a holder, an error."""
    if row is None:
        return ""
    parts = []
    if row.locked_until and row.locked_until > now and row.holder:
        parts.append(f"実行中: {row.holder}（{timezone.localtime(row.locked_until):%H:%M} まで）")
    if row.last_error:
        parts.append(f"前回の失敗: {row.last_error.splitlines()[0][:200]}")
    elif row.last_finished and row.last_started and row.last_finished >= row.last_started:
        seconds = (row.last_finished - row.last_started).total_seconds()
        count = "" if row.last_count is None else f"{row.last_count} 件、"
        parts.append(f"結果 {count}{seconds:.1f} 秒")
    return "".join(f"\t{part}" for part in parts)


def _drop_database_connection() -> None:
    """Close the broken connection; Django opens a new one on the next query."""
    with contextlib.suppress(*DB_ERRORS):
        connection.close()
