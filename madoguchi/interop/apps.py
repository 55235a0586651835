from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "madoguchi.interop"
    label = "interop"
    verbose_name = _("データの入出力")

    def ready(self) -> None:
        # The admin upload of catalog takes HSDS feeds too (catalog.formats: no import of interop there).
        from madoguchi.catalog.formats import Format, register
        from madoguchi.catalog.importer import ImportReport
        from madoguchi.interop.hsds_import import import_hsds

        def run(path: Path, source: str, dry_run: bool) -> ImportReport:
            return import_hsds(path, source or "Open Referral HSDS", dry_run=dry_run)

        register(Format("hsds", "Open Referral HSDS 3.0（JSON、またはデータパッケージの .zip）", run,
                        row_label="%(row)d 件目"))
