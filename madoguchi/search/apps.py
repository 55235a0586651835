from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "madoguchi.search"
    label = "search"
    verbose_name = _("ワンストップ検索")

    def ready(self) -> None:
        # Organizations, programs and facilities are searchable from the start; saving one
        # updates its document (see registry.register).
        from madoguchi.search.documents import register_builtin_kinds

        register_builtin_kinds()
