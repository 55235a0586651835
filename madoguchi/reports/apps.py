from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "madoguchi.reports"
    label = "reports"
    verbose_name = _("報告・統計")

    def ready(self) -> None:
        from madoguchi.reports import rules  # noqa: F401  (registers reports.may_view_reports)
