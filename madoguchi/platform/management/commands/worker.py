"""`madoguchi worker`: send queued email and run the apps' periodic jobs (platform/jobs.py; cases
registers the sweep of overdue referrals).

Database rows are the queue (platform/mail.py, which also states the delivery guarantee). With
--loop it runs until SIGTERM/SIGINT: the flag is looked at between messages, so it stops after
the email in hand (a hung server is bounded by EMAIL_TIMEOUT). A lost database connection
(a PostgreSQL restart, a failover) is logged and retried with backoff instead of ending the loop.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from madoguchi.platform import jobs
from madoguchi.platform.mail import Sender

log = logging.getLogger("madoguchi.worker")

REPORT_EVERY = 50  # print a count at least this often while draining a long queue
DB_ERRORS = (OperationalError, InterfaceError)
RECONNECT_FIRST, RECONNECT_MAX = 0.5, 30.0  # seconds; doubled after each failed try


class Command(BaseCommand):
    help = "送信待ちのメールを送り、各アプリの定期処理（回答期限を過ぎた紹介の印付けなど）を行います（--loop で常駐）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="停止されるまで繰り返す")
        parser.add_argument("--sleep", type=float, default=2.0, help="仕事がないときの待ち時間（秒）")
        parser.add_argument("--lease", type=float, default=None,
                            help="1通の送信を預かる時間（秒）。過ぎると別の worker が送り直す（既定: EMAIL_TIMEOUT の10倍）")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        hold = dt.timedelta(seconds=options["lease"]) if options["lease"] else None
        sender = Sender(hold)
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
            for job in jobs.registered():
                self._run(job)
            sent = 0
            while sent < 1000 and not self.stopping and sender.send_next():
                sent += 1
        except DB_ERRORS as exc:
            raise CommandError(f"データベースに接続できません: {exc}") from exc
        if sent:
            self.stdout.write(f"メール {sent} 件を処理しました。")

    def _loop(self, sender: Sender, idle_sleep: float) -> None:
        last_run: dict[str, float] = {}  # job name -> monotonic time of its last completed pass
        sent = 0
        outage_since: float | None = None
        retry_in = RECONNECT_FIRST
        while not self.stopping:
            try:
                for job in jobs.registered():
                    if job.name not in last_run or time.monotonic() - last_run[job.name] >= job.every:
                        self._run(job)
                        last_run[job.name] = time.monotonic()
                busy = sender.send_next()
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

    def _run(self, job: jobs.Job) -> None:
        line = job.run()
        if line:
            self.stdout.write(line)

    def _report(self, sent: int) -> None:
        if sent:
            self.stdout.write(f"メール {sent} 件を処理しました。")

    def _sleep(self, seconds: float) -> None:
        """Sleep in short steps so SIGTERM is honoured promptly."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stopping:
            time.sleep(0.1)


def _drop_database_connection() -> None:
    """Close the broken connection; Django opens a new one on the next query."""
    try:
        connection.close()
    except DB_ERRORS:
        pass
