"""The catalog work the worker runs on its schedule (the same functions as the commands
`send-program-alerts` and `remind-stale`, which stay for manual runs)."""

from __future__ import annotations

from madoguchi.catalog.alerts import prune, send_alerts
from madoguchi.catalog.freshness import remind_stale
from madoguchi.catalog.stars import send_deadline_reminders
from madoguchi.platform.jobs import Result, register


def _alerts_job() -> Result:
    alerts = send_alerts()
    reminders = send_deadline_reminders()
    pruned = prune()
    return Result(alerts + reminders, f"新着のお知らせ {alerts} 件、締切のお知らせ {reminders} 件、古い記録 {pruned} 件を削除")


def _remind_stale_job() -> Result:
    result = remind_stale()
    return Result(result.sent, f"今週送信済み {result.skipped_sent} 機関、宛先なし {result.skipped_nobody} 機関")


def register_jobs() -> None:
    """Called from CatalogConfig.ready()."""
    register("send-program-alerts", daily="07:30", run=_alerts_job)
    register("remind-stale", weekly="mon 08:00", run=_remind_stale_job)
