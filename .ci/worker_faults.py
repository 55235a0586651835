"""Faults for the mail worker, counted at a real SMTP sink (run by .ci/run; not part of pytest).

Queues N emails on a PostgreSQL database of its own, runs `madoguchi worker --loop` as a
subprocess against an aiosmtpd sink, SIGKILLs it three times mid-queue (starting a new one each
time) and takes the database away under it once: with --restart-postgres by restarting the
cluster (every database on it goes down for a moment), otherwise by refusing connections to this
database and terminating its sessions, which looks the same to the worker and disturbs nobody.
Then it counts deliveries by Message-ID and stops the worker with SIGTERM against a slow server.

Delivery is at-least-once with a stable Message-ID (see madoguchi/platform/mail.py): the check
requires 0 lost and 0 duplicates once deduplicated by Message-ID, and it prints the raw copies
too. A copy can only come from a kill landing between the server's 250 and the worker's UPDATE,
so the raw copies must not exceed the number of kills; the database outage must cause none.

    python .ci/worker_faults.py [--mails 200] [--restart-postgres] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


class Sink:
    """An aiosmtpd handler that records the Message-ID of each message it accepts (at its 250)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.accepted: list[tuple[str, float]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        message_id = message_from_bytes(envelope.original_content, policy=policy.default)["Message-ID"]
        with self.lock:
            self.accepted.append((str(message_id), time.monotonic()))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.accepted)


def psql(sql: str, database: str = "postgres") -> str:
    command = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", database, "-Atqc", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Worker:
    """`madoguchi worker --loop` as a subprocess, its output appended to one log file."""

    def __init__(self, env: dict[str, str], log_path: Path, lease: float) -> None:
        self.env, self.log_path, self.lease = env, log_path, lease
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0

    def start(self) -> None:
        log = self.log_path.open("ab")
        command = [sys.executable, "-m", "madoguchi.cli", "worker", "--loop", "--sleep", "0.2", "--lease", str(self.lease)]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.started += 1

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self) -> tuple[float, int]:
        """SIGTERM; returns (seconds to exit, exit code)."""
        assert self.proc is not None
        signalled = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        return time.monotonic() - signalled, code


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise SystemExit(f"FAIL: timed out after {timeout:.0f} s waiting for {what}")


def outage(database: str, restart_postgres: bool) -> None:
    from django.db import connections

    connections.close_all()  # ours goes down with the rest
    if restart_postgres:
        version = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)
    else:
        psql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")
        time.sleep(2.0)
        psql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    wait_for(lambda: subprocess.run(["pg_isready", "-h", PG["host"], "-p", PG["port"], "-q"]).returncode == 0,
             60, "PostgreSQL to accept connections again")


def statuses() -> dict[str, int] | None:
    from django.db import InterfaceError, OperationalError, connections
    from django.db.models import Count

    from madoguchi.platform.models import OutboundEmail

    try:
        return dict(OutboundEmail.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    except (OperationalError, InterfaceError):
        connections.close_all()
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=200)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--restart-postgres", action="store_true",
                        help="restart the whole PostgreSQL cluster (disturbs every database on it)")
    parser.add_argument("--database", default="madoguchi_worker_faults")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--delay", type=float, default=0.01, help="the sink's seconds per message")
    parser.add_argument("--lease", type=float, default=3.0, help="the worker's lease (seconds)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)
    database = args.database

    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{database}"')
    url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{database}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from aiosmtpd.controller import Controller

    from madoguchi.platform.mail import enqueue_email
    from madoguchi.platform.models import OutboundEmail

    queued = {row.message_id for n in range(args.mails)
              for row in enqueue_email(f"user{n}@example.jp", f"【madoguchi】障害試験 {n}", f"{n} 通目")}
    sink = Sink(args.delay)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "DATABASE_URL": url, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "False", "EMAIL_TIMEOUT": "5",
           "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    workdir = Path(tempfile.mkdtemp(prefix="worker-faults-"))
    log_path = workdir / "worker.log"
    worker = Worker(env, log_path, args.lease)
    problems: list[str] = []
    print(f"worker faults: {args.mails} emails, {args.kills} SIGKILLs, "
          f"{'a PostgreSQL restart' if args.restart_postgres else 'a database outage (connections refused, sessions terminated)'}; "
          f"seed {seed}; worker log {log_path}")

    # Faults at fractions of the queue, each after a random extra moment so they land anywhere
    # in a send (connecting, in DATA, between the 250 and the UPDATE, claiming the next row).
    marks = [int(args.mails * f) for f in (0.15, 0.35, 0.55, 0.75)][: args.kills] + [int(args.mails * 0.75)]
    started = time.monotonic()
    worker.start()
    for index, mark in enumerate(marks):
        wait_for(lambda mark=mark: sink.count() >= mark, 120, f"{mark} deliveries")
        time.sleep(rng.uniform(0, 3 * args.delay + 0.01))
        if index < args.kills:
            print(f"  SIGKILL at {sink.count()} deliveries")
            worker.kill()
            worker.start()
        else:
            pid = worker.proc.pid if worker.proc else None
            print(f"  database outage at {sink.count()} deliveries")
            outage(database, args.restart_postgres)
            time.sleep(1.0)
            if worker.proc is None or worker.proc.poll() is not None or worker.proc.pid != pid:
                problems.append("the worker did not survive the database outage")
                worker.start()

    def all_sent() -> bool:
        counts = statuses()
        return counts is not None and counts.get(OutboundEmail.Status.SENT, 0) == args.mails

    wait_for(all_sent, 180, "every row to be marked sent")
    drained = time.monotonic() - started
    stop_seconds, code = worker.terminate()
    if code != 0:
        problems.append(f"the worker exited with {code} on SIGTERM")

    ids = [message_id for message_id, _at in sink.accepted]
    distinct = set(ids)
    lost, unknown = queued - distinct, distinct - queued
    copies = len(ids) - len(distinct)
    log_text = log_path.read_text(errors="replace")
    print(f"  delivered {len(ids)} messages, {len(distinct)} distinct Message-IDs of {len(queued)} queued: "
          f"{len(lost)} lost, {copies} raw duplicates (same Message-ID), "
          f"{len(distinct & queued)} delivered once each after dedupe by Message-ID; "
          f"{worker.started} worker processes; all sent after {drained:.1f} s")
    print(f"  rows: {statuses()}; retries: "
          f"{OutboundEmail.objects.filter(attempts__gt=1).count()} rows needed a second try")
    print(f"  worker log: {log_text.count('database unavailable')} reconnect attempts logged, "
          f"{log_text.count('database connection restored')} recoveries")
    if lost:
        problems.append(f"{len(lost)} emails lost")
    if unknown:
        problems.append(f"{len(unknown)} deliveries with a Message-ID that was never queued")
    if copies > args.kills:
        problems.append(f"{copies} duplicates, more than one per kill ({args.kills})")
    if "database connection restored" not in log_text:
        problems.append("the worker logged no reconnection after the outage")

    # SIGTERM against a slow server: the worker finishes the message in hand and starts no other.
    slow = 1.0
    sink.delay = slow
    for n in range(10):
        enqueue_email(f"slow{n}@example.jp", "【madoguchi】遅いサーバー", "本文")
    before = sink.count()
    worker.start()
    wait_for(lambda: sink.count() >= before + 1, 60, "the first slow delivery")
    time.sleep(rng.uniform(0.1, slow - 0.1))  # somewhere inside the second message
    at_signal = sink.count()
    stop_seconds, code = worker.terminate()
    after = sink.count() - at_signal
    in_flight = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING).count()
    print(f"  SIGTERM against a server taking {slow:.1f} s per message: stopped in {stop_seconds:.2f} s, "
          f"{after} message(s) finished after the signal, {in_flight} left 'sending', exit code {code}")
    # The count is what shows "one message"; the time allows for the interpreter's exit on a busy
    # machine, and is still far below the 9 s the remaining queue would take.
    if after > 1 or stop_seconds > 2 * slow + 2.0 or in_flight or code != 0:
        problems.append("SIGTERM did not stop the worker within one message")

    controller.stop()
    from django.db import connections

    connections.close_all()
    if problems:
        print("FAIL: " + "; ".join(problems))
        print(log_text[-4000:])
        return 1
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print("OK: worker faults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
