from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "madoguchi.cases"
    label = "cases"
    verbose_name = _("相談・紹介")

    def ready(self) -> None:
        from madoguchi.cases import checks  # noqa: F401  (registers madoguchi.W020)
