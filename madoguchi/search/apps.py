from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "madoguchi.search"
    label = "search"
    verbose_name = _("ワンストップ検索")

    def ready(self) -> None:
        # Organizations, programs and facilities are searchable from the start; saving one
        # updates its document (see registry.register), and so does the catalog's importer
        # (catalog.signals.programs_changed, received in search.program_facts).
        from madoguchi.catalog import alerts as catalog_alerts
        from madoguchi.search.alerts import program_slugs
        from madoguchi.search.documents import register_builtin_kinds

        register_builtin_kinds()
        # Saved-search alerts run their question through the one search (the catalog sits below it).
        catalog_alerts.use_search(program_slugs)
