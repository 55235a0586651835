from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "madoguchi.directory"
    label = "directory"
    verbose_name = _("支援機関の登録簿")

    def ready(self) -> None:
        from madoguchi.directory import (
            checks,  # noqa: F401  (registers madoguchi.W010)
            rules,  # noqa: F401  (registers directory.may_change_program, ...)
        )
