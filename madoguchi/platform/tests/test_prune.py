"""The prune job (platform/prune.py) deletes only what is past its retention, in batches."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from madoguchi.platform import prune
from madoguchi.platform.mail import enqueue_email
from madoguchi.platform.models import JobRun, OutboundEmail, TokenBucket

JST = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 5, 1, 4, 0, tzinfo=JST)


def mail(days_ago: float, status: str) -> OutboundEmail:
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        (row,) = enqueue_email(f"{status}-{days_ago}@example.jp", "件名", "本文")
    OutboundEmail.objects.filter(pk=row.pk).update(status=status)
    return row


@time_machine.travel(NOW, tick=False)
def test_old_mail_that_is_no_longer_pending_goes_and_the_rest_stays(db: None, settings: Any) -> None:
    settings.MAIL_RETENTION_DAYS = 90
    S = OutboundEmail.Status
    gone = [mail(91, S.SENT), mail(200, S.FAILED), mail(90.5, S.CANCELLED)]
    kept = [mail(89, S.SENT), mail(300, S.QUEUED), mail(300, S.SENDING), mail(1, S.FAILED)]
    assert prune.prune_mail() == 3
    assert set(OutboundEmail.objects.values_list("pk", flat=True)) == {row.pk for row in kept}
    assert not OutboundEmail.objects.filter(pk__in=[row.pk for row in gone]).exists()


@time_machine.travel(NOW, tick=False)
def test_rate_limit_buckets_untouched_for_the_retention_go(db: None, settings: Any) -> None:
    settings.RATELIMIT_RETENTION_DAYS = 2
    TokenBucket.objects.create(key="old", tokens=0.0, updated=NOW - dt.timedelta(days=2, seconds=1))
    TokenBucket.objects.create(key="recent", tokens=0.0, updated=NOW - dt.timedelta(days=1))
    assert prune.prune_ratelimit() == 1
    assert list(TokenBucket.objects.values_list("key", flat=True)) == ["recent"]


def test_a_pruned_bucket_gives_the_same_answer_as_the_old_row_would(db: None) -> None:
    # A bucket refills completely within its window (an hour), so a row older than that is "full".
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        for _ in range(3):
            assert TokenBucket.authorize("reset-email", "a@example.jp", capacity=3, per_seconds=3600)
        assert not TokenBucket.authorize("reset-email", "a@example.jp", capacity=3, per_seconds=3600)
    with time_machine.travel(NOW, tick=False):
        assert prune.prune_ratelimit() == 1
        assert all(TokenBucket.authorize("reset-email", "a@example.jp", capacity=3, per_seconds=3600) for _ in range(3))
        assert not TokenBucket.authorize("reset-email", "a@example.jp", capacity=3, per_seconds=3600)


@time_machine.travel(NOW, tick=False)
def test_rows_of_jobs_nobody_registers_go_after_a_month(db: None) -> None:
    JobRun.objects.create(name="retired-old", created=NOW - dt.timedelta(days=60),
                          last_started=NOW - dt.timedelta(days=31))
    JobRun.objects.create(name="retired-recent", created=NOW - dt.timedelta(days=60),
                          last_started=NOW - dt.timedelta(days=3))
    JobRun.objects.create(name="match-all", created=NOW - dt.timedelta(days=60))  # registered: kept
    assert prune.prune_job_runs() == 1
    assert sorted(JobRun.objects.values_list("name", flat=True)) == ["match-all", "retired-recent"]


@pytest.mark.parametrize("batch", [1, 2, 1000])
@time_machine.travel(NOW, tick=False)
def test_deleting_in_batches_deletes_everything_that_matches(db: None, batch: int) -> None:
    for n in range(5):
        TokenBucket.objects.create(key=f"k{n}", updated=NOW - dt.timedelta(days=10))
    TokenBucket.objects.create(key="fresh", updated=NOW)
    old = TokenBucket.objects.filter(updated__lt=NOW - dt.timedelta(days=1))
    assert prune.delete_in_batches(old, batch=batch) == 5
    assert list(TokenBucket.objects.values_list("key", flat=True)) == ["fresh"]


@time_machine.travel(NOW, tick=False)
def test_the_job_reports_a_count_per_table(db: None) -> None:
    mail(100, OutboundEmail.Status.SENT)
    TokenBucket.objects.create(key="old", updated=NOW - dt.timedelta(days=5))
    result = prune.prune()
    assert result.count == 2
    assert result.line == "送信メール 1 件、レート制限 1 件、定期処理の記録 0 件を削除"
