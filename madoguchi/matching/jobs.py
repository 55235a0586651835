"""The matching work the worker runs on its schedule, and `madoguchi match` runs by hand.

`stale` (every 5 minutes): listings changed since their suggestions were made, and the alerts
for them. `nightly` (01:30): expire what ran out, refresh every live listing, alert for listings
published since the day before, and remind owners whose listing is about to expire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from madoguchi.matching import alerts, matches
from madoguchi.matching.models import Listing
from madoguchi.platform.jobs import Result, register


@dataclass(frozen=True)
class Nightly:
    refreshed: int  # listings whose suggestions were refreshed
    alerts: int  # new-listing alerts queued
    reminders: int  # renewal reminders queued


def refresh_stale() -> tuple[int, int]:
    """Refresh the stale listings and alert for them; returns (listings refreshed, alerts queued)."""
    refreshed = matches.refresh_stale()
    return len(refreshed), sum(alerts.alert_for_new_listing(listing) for listing in refreshed)


def nightly(progress: Callable[[int, int], None] | None = None) -> Nightly:
    """The nightly batch (`madoguchi match --all`)."""
    refreshed = matches.refresh_all(progress=progress)
    # alerts for listings published since the last run (idempotent: each address is told once)
    since = timezone.now() - dt.timedelta(days=2)
    sent = sum(alerts.alert_for_new_listing(x) for x in Listing.objects.live().filter(updated__gte=since))
    return Nightly(refreshed, sent, alerts.send_renewal_reminders())


def _stale_job() -> Result:
    refreshed, sent = refresh_stale()
    return Result(refreshed, f"新着のお知らせ {sent} 通" if sent else "")


def _nightly_job() -> Result:
    done = nightly()
    return Result(done.refreshed, f"新着のお知らせ {done.alerts} 通、期限の案内 {done.reminders} 通")


def register_jobs() -> None:
    """Called from MatchingConfig.ready()."""
    register("match-stale", every=300, run=_stale_job, max_duration=30 * 60)
    # At national scale (10^6 listings) the batch takes hours: its lock must outlast it.
    register("match-all", daily="01:30", run=_nightly_job, max_duration=6 * 3600)
