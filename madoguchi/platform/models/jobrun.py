"""The worker's schedule in the database: one row per job, its last run and its lock."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """A job of platform/jobs.py: when it last ran, and which worker holds it now.

    Two workers may run side by side (a second one keeps mail flowing while the first is in the
    nightly batch): a worker takes a job with one filtered UPDATE (free and due) that must change
    exactly this row, so a job never runs twice at once. The lock is a lease: `locked_until` is
    the start plus the job's longest expected run, so a worker that died mid-job holds it no longer
    than that. After a failure it is the time before which nobody retries.
    """

    name = models.CharField(_("処理"), max_length=50, unique=True)
    # The schedule the job last ran under ("01:30", "mon 08:00", "5m"), for people reading the row.
    schedule = models.CharField(_("実行予定"), max_length=50, blank=True)
    # When a worker first saw the job: a daily or weekly job waits for its first time after this,
    # so a new installation does not run the whole night's work at start-up.
    created = models.DateTimeField(default=timezone.now)
    last_started = models.DateTimeField(_("最後の開始"), null=True, blank=True)
    # The end of the last run that succeeded: what "due" is measured from.
    last_finished = models.DateTimeField(_("最後の完了"), null=True, blank=True)
    last_count = models.IntegerField(_("件数"), null=True, blank=True)
    last_line = models.CharField(_("結果"), max_length=500, blank=True)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定期処理")
        verbose_name_plural = _("定期処理")

    def __str__(self) -> str:
        return self.name
