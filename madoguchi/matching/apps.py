from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "madoguchi.matching"
    label = "matching"
    verbose_name = _("マッチング")

    def ready(self) -> None:
        from madoguchi.matching import rules, signals  # noqa: F401 - registers the rules, connects the receivers
        from madoguchi.matching.alerts import register_unsubscribe

        register_unsubscribe()
        from madoguchi.matching.search import register_listings

        register_listings()  # live public listings are found by the one-stop search
        from madoguchi.matching.jobs import register_jobs

        register_jobs()  # the worker refreshes stale listings every 5 minutes, and all of them at 01:30
