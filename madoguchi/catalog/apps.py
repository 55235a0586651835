from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    label = "catalog"
    verbose_name = _("支援制度カタログ")
