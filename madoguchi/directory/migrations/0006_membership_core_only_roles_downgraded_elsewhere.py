"""Roles per kind of institution: coordinator and platform administrator only at the core one.

Adds Membership.at_core (the organization's kind, copied so a CHECK can read it), downgrades
every existing row that breaks the rule — a coordinator elsewhere becomes staff (担当者), an
administrator elsewhere becomes that institution's own administrator (機関の管理者) — logging
each one, and then lets the database refuse new ones.
"""

import logging

from django.conf import settings
from django.db import migrations, models

log = logging.getLogger("madoguchi.migrations")

DOWNGRADE = {"coordinator": "staff", "admin": "org_admin"}


def sync_and_downgrade(apps, schema_editor):
    Membership = apps.get_model("directory", "Membership")
    for m in Membership.objects.select_related("organization", "user").order_by("pk"):
        at_core = m.organization.kind == "core"
        new_role = m.role if at_core else DOWNGRADE.get(m.role, m.role)
        if new_role != m.role:
            log.warning(
                "membership %s: user %s at %s (%s) downgraded from %s to %s: that role exists only at the core institution",
                m.pk, m.user.username, m.organization.slug, m.organization.kind, m.role, new_role,
            )
        if new_role != m.role or at_core != m.at_core:
            Membership.objects.filter(pk=m.pk).update(role=new_role, at_core=at_core)


def keep_downgrades(apps, schema_editor):
    # Going back does not restore the old roles: they gave platform-wide reach to staff of an
    # institution that is not the core one (the defect this migration removes). The log of
    # the forward run names each row for anyone who must restore one by hand.
    log.warning("reverting 0006: downgraded memberships keep their new role (see the forward run's log)")


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0005_organization_profile'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='at_core',
            field=models.BooleanField(default=False, editable=False, verbose_name='中核的支援機関の所属'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('staff', '担当者'), ('readonly', '閲覧のみ'), ('coordinator', 'コーディネーター'), ('admin', '管理者'), ('org_admin', '機関の管理者'), ('prefecture', '県の担当者（報告の閲覧）')], default='staff', max_length=20, verbose_name='役割'),
        ),
        migrations.RunPython(sync_and_downgrade, keep_downgrades, elidable=False),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role__in', ['coordinator', 'admin']), _negated=True), ('at_core', True), _connector='OR'), name='membership_core_only_roles', violation_error_message='コーディネーターと管理者の役割は中核的支援機関の所属にだけ付けられます。'),
        ),
    ]
