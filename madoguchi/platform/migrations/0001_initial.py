"""The outbox, the rate-limit buckets and the API tokens, taken over from the cases app (#14).

State only: their tables were made by cases' migrations (0001, 0003, 0005, 0006) and keep their
names (Meta.db_table); cases/0008 let go of the models just before this.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import madoguchi.platform.models.outbox


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("cases", "0008_plumbing_moves_to_platform"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='TokenBucket',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=80, unique=True)),
                        ('tokens', models.FloatField(default=1.0)),
                        ('updated', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'verbose_name': 'rate limit bucket',
                        'db_table': 'cases_tokenbucket',
                    },
                ),
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='用途')),
                        ('prefix', models.CharField(max_length=12, verbose_name='先頭文字')),
                        ('token_hash', models.CharField(max_length=64, unique=True)),
                        ('created', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'API トークン',
                        'verbose_name_plural': 'API トークン',
                        'db_table': 'cases_apitoken',
                    },
                ),
                migrations.CreateModel(
                    name='OutboundEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('to', models.EmailField(max_length=254, verbose_name='宛先')),
                        ('subject', models.CharField(max_length=200, verbose_name='件名')),
                        ('body', models.TextField(verbose_name='本文')),
                        ('headers', models.JSONField(blank=True, default=dict, verbose_name='追加ヘッダー')),
                        ('status', models.CharField(choices=[('queued', '送信待ち'), ('sending', '送信中'), ('sent', '送信済み'), ('failed', '送信失敗')], default='queued', max_length=10, verbose_name='状態')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='試行回数')),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='次の送信時刻')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('claim', models.CharField(blank=True, editable=False, max_length=32)),
                        ('message_id', models.CharField(default=madoguchi.platform.models.outbox.new_message_id, editable=False, max_length=255, unique=True, verbose_name='Message-ID')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='送信日時')),
                        ('last_error', models.TextField(blank=True, verbose_name='最後のエラー')),
                        ('created', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'verbose_name': '送信メール',
                        'verbose_name_plural': '送信メール',
                        'db_table': 'cases_outboundemail',
                        'ordering': ['created', 'pk'],
                        'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='outbound_status_next_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
