"""The read log keeps one line per reader per case per day (it kept one per page view).

Existing lines are merged: the first line of each (case, user, day) keeps the day's first read,
gets the last one in `last_at` and the number of reads in `count`; the others are deleted.
"""

import django.utils.timezone
from django.db import migrations, models
from django.utils import timezone


def merge_reads_per_reader_and_day(apps, schema_editor):
    CaseRead = apps.get_model("cases", "CaseRead")
    keep: dict = {}
    extra: list[int] = []
    for row in CaseRead.objects.order_by("at", "pk").iterator():
        row.day = timezone.localdate(row.at)
        key = (row.case_id, row.user_id, row.day)
        first = keep.get(key) if row.user_id is not None else None
        if first is None:
            row.last_at, row.count, row.what = row.at, 1, ["case"]
            keep[key if row.user_id is not None else ("pk", row.pk)] = row
        else:
            first.last_at = row.at
            first.count += 1
            extra.append(row.pk)
    for row in keep.values():
        row.save(update_fields=["day", "last_at", "count", "what"])
    CaseRead.objects.filter(pk__in=extra).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_outboundemail_headers"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseread", name="day",
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name="閲覧日"),
        ),
        migrations.AddField(
            model_name="caseread", name="last_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="最後の閲覧"),
        ),
        migrations.AddField(
            model_name="caseread", name="count",
            field=models.PositiveIntegerField(default=1, verbose_name="閲覧回数"),
        ),
        migrations.AddField(
            model_name="caseread", name="what",
            field=models.JSONField(blank=True, default=list, verbose_name="閲覧した内容"),
        ),
        migrations.AlterField(
            model_name="caseread", name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="最初の閲覧"),
        ),
        # Going back keeps the merged lines (one per reader and day): the page views are gone.
        migrations.RunPython(merge_reads_per_reader_and_day, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="caseread",
            constraint=models.UniqueConstraint(fields=("case", "user", "day"), name="caseread_one_per_reader_day"),
        ),
    ]
