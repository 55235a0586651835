"""The events work the worker runs on its schedule (the same functions as the commands
`send-event-digests` and `anonymise-registrations`, which stay for manual runs)."""

from __future__ import annotations

from django.conf import settings

from madoguchi.events.anonymise import anonymise_registrations
from madoguchi.events.search import drop_ended_events
from madoguchi.events.subscriptions import send_digests
from madoguchi.platform.jobs import Result, register


def _digests_job() -> Result:
    queued = send_digests()
    # The search cannot filter by time, so the daily run is what takes ended events out.
    dropped = drop_ended_events()
    return Result(queued, f"ダイジェスト {queued} 件、検索から外したイベント {dropped} 件")


def _anonymise_job() -> Result:
    days = settings.REGISTRATION_RETENTION_DAYS
    return Result(anonymise_registrations(days), f"イベントの終了から {days} 日超の参加申込")


def register_jobs() -> None:
    """Called from EventsConfig.ready()."""
    register("send-event-digests", daily="07:00", run=_digests_job)
    register("anonymise-registrations", daily="03:20", run=_anonymise_job)
