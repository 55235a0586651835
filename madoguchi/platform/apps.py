from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "madoguchi.platform"
    label = "platform"
    verbose_name = _("共通基盤")

    def ready(self) -> None:
        from madoguchi.platform import checks  # noqa: F401  (registers madoguchi.W020)
