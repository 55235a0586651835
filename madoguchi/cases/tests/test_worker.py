"""`madoguchi worker --loop` keeps sending and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import threading
from io import StringIO
from typing import Any

from django.core.management import call_command

from madoguchi.cases.mail import enqueue_email
from madoguchi.cases.models import OutboundEmail


def test_the_loop_sends_and_stops_on_sigterm(smtp_server: Any, db: None) -> None:
    enqueue_email("a@example.jp", "【madoguchi】一通目", "本文")
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    out = StringIO()
    timer.start()
    try:
        call_command("worker", "--loop", "--sleep", "0.1", stdout=out)  # returns only when stopped
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)
    assert "worker を停止しました" in out.getvalue()
    assert [m["To"] for m in smtp_server.messages] == ["a@example.jp"]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
