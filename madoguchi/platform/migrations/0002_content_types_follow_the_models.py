"""The content types of the three models taken over from cases become platform's.

Without this, Django would make new content types (and permissions) for platform.* and leave
the old ones behind: a group given "view sent mail" would lose it, and the admin's history of
those rows would point at a model that no longer exists. On a new database there is nothing to
rename (content types are made after the migrations), so this does nothing there.
"""

from django.db import migrations

MODELS = ("apitoken", "outboundemail", "tokenbucket")


def rename(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)
    ContentType.objects.clear_cache()


def to_platform(apps, schema_editor):
    rename(apps, schema_editor, "cases", "platform")


def back_to_cases(apps, schema_editor):
    rename(apps, schema_editor, "platform", "cases")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("platform", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_platform, back_to_cases),
    ]
