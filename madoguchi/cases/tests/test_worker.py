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

from madoguchi.platform.mail import enqueue_email
from madoguchi.platform.models import OutboundEmail


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


class _SlowInbox:
    """An SMTP server that takes `delay` seconds over each message before its 250."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.accepted: list[float] = []  # monotonic time of each 250

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name
        import asyncio

        await asyncio.sleep(self.delay)
        self.accepted.append(time.monotonic())
        return "250 Message accepted for delivery"


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_the_loop_after_the_message_in_hand(settings: Any) -> None:
    from aiosmtpd.controller import Controller

    from madoguchi.cases.tests.conftest import _free_port

    inbox = _SlowInbox(delay=0.5)
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    for n in range(10):
        enqueue_email(f"user{n}@example.jp", f"【madoguchi】お知らせ {n}", "本文")
    previous = signal.getsignal(signal.SIGTERM)
    signalled: list[float] = []

    def stop_after_two() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(inbox.accepted) < 2:
            time.sleep(0.01)
        time.sleep(0.2)  # in the middle of the third message
        signalled.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGTERM)

    stopper = threading.Thread(target=stop_after_two, daemon=True)
    stopper.start()
    try:
        call_command("worker", "--loop", "--sleep", "0.1", stdout=StringIO())
        stopped = time.monotonic()
    finally:
        stopper.join(timeout=35)
        signal.signal(signal.SIGTERM, previous)
        controller.stop()
    # The third message, in hand when the signal came, was finished and recorded; no fourth began.
    assert len(inbox.accepted) == 3
    assert stopped - signalled[0] < 1.0  # within one message (0.5 s), not the rest of a batch
    statuses = sorted(OutboundEmail.objects.values_list("status", flat=True))
    assert statuses == ["queued"] * 7 + ["sent"] * 3  # nothing left "sending" for a lease to expire
