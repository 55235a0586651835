"""Retention as a job (the worker's `prune`, daily): the platform's tables that grow without bound.

- Sent, failed and cancelled mail older than MAIL_RETENTION_DAYS: the queue needs only what is
  still to be sent; the rest is kept a while for "did the mail go?" and then goes.
- Rate-limit buckets untouched for RATELIMIT_RETENTION_DAYS: a bucket refills completely within
  its policy's window (an hour for every policy in ratelimit.py), and a full bucket is exactly
  what a missing row gives the next caller, so deleting it changes no decision.
- JobRun rows of jobs no longer registered (renamed or removed), untouched for JOB_RUN_RETENTION.

Rows go in batches of BATCH, each its own short statement, oldest first by primary key, so a
large backlog never holds a long lock on a table the site writes to.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from madoguchi.platform.jobs import Result, registered
from madoguchi.platform.models import JobRun, OutboundEmail, TokenBucket

BATCH = 1000
JOB_RUN_RETENTION = dt.timedelta(days=30)


def delete_in_batches(queryset: QuerySet, batch: int = BATCH) -> int:
    """Delete the rows of `queryset` `batch` at a time, lowest primary keys first; returns how many."""
    deleted = 0
    while True:  # ends: each pass deletes what it picked, or finds it no longer matches
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return deleted
        # The filter again: a row touched since it was picked (a bucket just used) stays.
        deleted += queryset.filter(pk__in=pks).delete()[0]


def prune_mail(now: dt.datetime | None = None) -> int:
    """Delete mail no longer pending and queued more than MAIL_RETENTION_DAYS ago; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.MAIL_RETENTION_DAYS)
    done = [OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED, OutboundEmail.Status.CANCELLED]
    return delete_in_batches(OutboundEmail.objects.filter(status__in=done, created__lt=cutoff))


def prune_ratelimit(now: dt.datetime | None = None) -> int:
    """Delete buckets untouched for RATELIMIT_RETENTION_DAYS (full again by then); returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.RATELIMIT_RETENTION_DAYS)
    return delete_in_batches(TokenBucket.objects.filter(updated__lt=cutoff))


def prune_job_runs(now: dt.datetime | None = None) -> int:
    """Delete the rows of jobs nobody registers any more, once unused for a month; returns how many."""
    cutoff = (now or timezone.now()) - JOB_RUN_RETENTION
    gone = JobRun.objects.exclude(name__in=[job.name for job in registered()]).alias(
        used=Coalesce("last_started", "created")).filter(used__lt=cutoff).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=cutoff))
    return delete_in_batches(gone)


def prune() -> Result:
    """The worker's daily job: returns the total and a line with each table's count."""
    now = timezone.now()
    mail, buckets, job_runs = prune_mail(now), prune_ratelimit(now), prune_job_runs(now)
    return Result(mail + buckets + job_runs, f"送信メール {mail} 件、レート制限 {buckets} 件、定期処理の記録 {job_runs} 件を削除")
