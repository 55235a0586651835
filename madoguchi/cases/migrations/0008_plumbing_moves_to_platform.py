"""The outbox, the rate-limit buckets and the API tokens move to the platform app (#14).

State only: the tables stay where they are (the models keep them with Meta.db_table) and
platform/0001 takes the models over in the state right after this.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_caseread_one_line_per_reader_day"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ApiToken"),
                migrations.DeleteModel(name="OutboundEmail"),
                migrations.DeleteModel(name="TokenBucket"),
            ],
            database_operations=[],
        ),
    ]
