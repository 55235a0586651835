from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running madoguchi in production: probes, request ids, JSON logs, replicas, backups."""

    name = "madoguchi.ops"
    label = "ops"
    verbose_name = "運用"
