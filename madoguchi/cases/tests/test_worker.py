"""`madoguchi worker --loop` keeps sending and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import threading
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from madoguchi.cases.mail import enqueue_email
from madoguchi.cases.models import OutboundEmail


# transaction=True: the loop closes stale connections between passes, as a long-running process
# must, and that would cut the test's own wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_the_loop_sends_and_stops_on_sigterm(smtp_server: Any) -> None:
    enqueue_email("a@example.jp", "【madoguchi】一通目", "本文")
    previous = signal.getsignal(signal.SIGTERM)
    handler_installed = threading.Event()

    def stop_after_delivery() -> None:
        # Wait for the worker to have its handler and the server to have the email, then SIGTERM.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (smtp_server.envelopes and handler_installed.is_set()):
            if signal.getsignal(signal.SIGTERM) is not previous:
                handler_installed.set()
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    out = StringIO()
    stopper = threading.Thread(target=stop_after_delivery, daemon=True)
    stopper.start()
    try:
        call_command("worker", "--loop", "--sleep", "0.1", stdout=out)  # returns only when stopped
    finally:
        stopper.join(timeout=35)
        signal.signal(signal.SIGTERM, previous)
    assert "worker を停止しました" in out.getvalue()
    assert [m["To"] for m in smtp_server.messages] == ["a@example.jp"]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
