"""The worker's schedule (JobRun: one row per job, its last run and its lock) and the outbox's
link to the record a mail is about (OutboundEmail.reference, for anonymisation), with a
"cancelled" status for mail to a person anonymised before it was sent.

Adding the column needs no rewrite of the table (an empty-string default); the two indexes are
built once, on a table the prune job keeps to MAIL_RETENTION_DAYS.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('platform', '0002_content_types_follow_the_models'),
    ]

    operations = [
        migrations.CreateModel(
            name='JobRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=50, unique=True, verbose_name='処理')),
                ('schedule', models.CharField(blank=True, max_length=50, verbose_name='実行予定')),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_started', models.DateTimeField(blank=True, null=True, verbose_name='最後の開始')),
                ('last_finished', models.DateTimeField(blank=True, null=True, verbose_name='最後の完了')),
                ('last_count', models.IntegerField(blank=True, null=True, verbose_name='件数')),
                ('last_line', models.CharField(blank=True, max_length=500, verbose_name='結果')),
                ('last_error', models.TextField(blank=True, verbose_name='最後のエラー')),
                ('locked_until', models.DateTimeField(blank=True, null=True)),
                ('holder', models.CharField(blank=True, max_length=100)),
            ],
            options={
                'verbose_name': '定期処理',
                'verbose_name_plural': '定期処理',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='reference',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='対象'),
        ),
        migrations.AlterField(
            model_name='outboundemail',
            name='status',
            field=models.CharField(choices=[('queued', '送信待ち'), ('sending', '送信中'), ('sent', '送信済み'), ('failed', '送信失敗'), ('cancelled', '取り消し')], default='queued', max_length=10, verbose_name='状態'),
        ),
        migrations.AddIndex(
            model_name='outboundemail',
            index=models.Index(fields=['reference'], name='outbound_reference_idx'),
        ),
        migrations.AddIndex(
            model_name='outboundemail',
            index=models.Index(fields=['to'], name='outbound_to_idx'),
        ),
    ]
