from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    label = "catalog"
    verbose_name = _("支援制度カタログ")

    def ready(self) -> None:
        from madoguchi.catalog import alerts, rules, signals, stars  # noqa: F401  (rules: catalog.may_import_programs)

        # The one-click unsubscribe links (lib/unsubscribe.py) of alert and deadline mails.
        alerts.register_unsubscribe()
        stars.register_unsubscribe()
        signals.connect()
        from madoguchi.catalog.jobs import register_jobs

        register_jobs()  # the worker's saved-search alerts (daily 07:30) and stale reminders (Mondays 08:00)
