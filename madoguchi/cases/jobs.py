"""The cases work the worker runs on its schedule (the same functions as the commands
`flag-overdue` and `anonymise-cases`, which stay for manual runs)."""

from __future__ import annotations

from django.conf import settings

from madoguchi.cases.anonymise import anonymise_closed_cases
from madoguchi.cases.overdue import flag_overdue
from madoguchi.platform.jobs import Result, register

# Deadlines are counted in days: a sweep every five minutes is prompt enough, and cheap.
SWEEP_EVERY = 300.0


def _overdue_job() -> Result:
    flagged = flag_overdue()
    return Result(flagged, f"期限超過の紹介 {flagged} 件" if flagged else "")


def _anonymise_job() -> Result:
    days = settings.CASE_RETENTION_DAYS
    return Result(anonymise_closed_cases(days), f"終了から {days} 日超の相談")


def register_jobs() -> None:
    """Called from CasesConfig.ready()."""
    register("overdue-referrals", every=SWEEP_EVERY, run=_overdue_job, max_duration=15 * 60)
    register("anonymise-cases", daily="03:15", run=_anonymise_job)
