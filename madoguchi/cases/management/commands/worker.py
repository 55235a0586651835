"""`madoguchi worker`: send queued email and flag overdue referrals.

Database rows are the queue (cases/mail.py). With --loop it runs until SIGTERM/SIGINT and
finishes the email in hand before stopping.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from madoguchi.cases.mail import send_all
from madoguchi.cases.overdue import flag_overdue

OVERDUE_EVERY = 300.0  # seconds between overdue sweeps; deadlines are counted in days


class Command(BaseCommand):
    help = "送信待ちのメールを送り、回答期限を過ぎた紹介に印を付けます（--loop で常駐）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="停止されるまで繰り返す")
        parser.add_argument("--sleep", type=float, default=2.0, help="仕事がないときの待ち時間（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        last_sweep = 0.0
        while True:
            if time.monotonic() - last_sweep >= OVERDUE_EVERY or not options["loop"]:
                flagged = flag_overdue()
                last_sweep = time.monotonic()
                if flagged:
                    self.stdout.write(f"期限超過の紹介 {flagged} 件")
            sent = send_all(limit=50)
            if sent:
                self.stdout.write(f"メール {sent} 件を処理しました。")
            if not options["loop"] or self.stopping:
                break
            close_old_connections()
            if not sent:
                # Sleep in short steps so SIGTERM is honoured promptly.
                deadline = time.monotonic() + options["sleep"]
                while time.monotonic() < deadline and not self.stopping:
                    time.sleep(0.1)
            if self.stopping:
                break
        self.stdout.write("worker を停止しました。")
