"""The platform's system checks.

madoguchi.W020: production settings whose mail goes nowhere (the laptop default of `make run`).
madoguchi.E021: WORKER_SCHEDULE names a job nobody registered, or a time the worker cannot read.
madoguchi.E022: a retention of less than a day (the prune job would delete mail and rate-limit
buckets still in use: a bucket emptied an hour ago must not be forgotten before it refills).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

NOT_SENT = ("filebased", "console", "locmem", "dummy")


@register()
def mail_is_sent_in_production(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    production = not settings.DEBUG and "sqlite" not in settings.DATABASES["default"]["ENGINE"]
    if production and any(f".{name}." in settings.EMAIL_BACKEND for name in NOT_SENT):
        return [Warning(
            f"EMAIL_BACKEND {settings.EMAIL_BACKEND} does not send mail (referrals, confirmations and digests "
            "would reach nobody).",
            hint="Set EMAIL_URL, e.g. smtp://user:password@mail.example.jp:587?tls=true.",
            id="madoguchi.W020",
        )]
    return []


@register()
def worker_schedule_is_readable(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from madoguchi.platform import jobs, schedule

    known = {job.name for job in jobs.registered()}
    errors = []
    for name, when in (getattr(settings, "WORKER_SCHEDULE", None) or {}).items():
        if name not in known:
            errors.append(Error(f"WORKER_SCHEDULE names the job {name!r}, which does not exist.",
                                hint=f"The jobs are: {', '.join(sorted(known))} (madoguchi worker --list-jobs).",
                                id="madoguchi.E021"))
            continue
        try:
            schedule.parse(when)
        except ValueError as exc:
            errors.append(Error(f"WORKER_SCHEDULE {name}={when!r}: {exc}.",
                                hint='Use HH:MM (daily), "mon HH:MM" (weekly), 300s, 5m or 1h (every), or off.',
                                id="madoguchi.E021"))
    return errors


@register()
def retention_is_at_least_a_day(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(f"{name} is {getattr(settings, name)}; it must be at least 1 (days).", id="madoguchi.E022")
            for name in ("MAIL_RETENTION_DAYS", "RATELIMIT_RETENTION_DAYS") if getattr(settings, name) < 1]
