from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "madoguchi.search"
    label = "search"
    verbose_name = _("ワンストップ検索")
