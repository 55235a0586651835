from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "madoguchi.platform"
    label = "platform"
    verbose_name = _("共通基盤")

    def ready(self) -> None:
        from madoguchi.platform import checks  # noqa: F401  (registers madoguchi.W020, E021, E022)
        from madoguchi.platform.jobs import register
        from madoguchi.platform.prune import prune

        # Old mail, rate-limit buckets and the rows of retired jobs go at 04:00 (STYLE.md 19).
        register("prune", daily="04:00", run=prune)
