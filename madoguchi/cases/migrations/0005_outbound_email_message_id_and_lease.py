"""Each queued email gets its own stable Message-ID (existing rows too) and the worker's claim
becomes a lease with a holder; rows left "sending" keep the 10 minutes the old rule gave them."""

import datetime as dt

from django.db import migrations, models

import madoguchi.platform.models.outbox


def give_existing_rows_a_message_id_and_a_lease(apps, schema_editor):
    OutboundEmail = apps.get_model("cases", "OutboundEmail")
    for row in OutboundEmail.objects.filter(message_id__isnull=True).only("pk", "status", "claimed_at").iterator():
        row.message_id = madoguchi.platform.models.outbox.new_message_id()
        fields = ["message_id"]
        if row.status == "sending" and row.claimed_at is not None:
            row.lease_until = row.claimed_at + dt.timedelta(minutes=10)
            fields.append("lease_until")
        row.save(update_fields=fields)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_outcomes_of_introductions'),
    ]

    operations = [
        migrations.AddField(
            model_name='outboundemail',
            name='lease_until',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='claim',
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='message_id',
            field=models.CharField(editable=False, max_length=255, null=True, verbose_name='Message-ID'),
        ),
        # Reversing drops the columns; the ids need no undoing.
        migrations.RunPython(give_existing_rows_a_message_id_and_a_lease, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='outboundemail',
            name='message_id',
            field=models.CharField(default=madoguchi.platform.models.outbox.new_message_id, editable=False, max_length=255, unique=True, verbose_name='Message-ID'),
        ),
    ]
