from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "madoguchi.interop"
    label = "interop"
    verbose_name = _("データの入出力")

    def ready(self) -> None:
        # The admin upload of catalog takes HSDS feeds too (catalog.formats: no import of interop there).
        from madoguchi.catalog.formats import Format, register
        from madoguchi.interop.hsds_import import import_hsds

        def run(path, source, dry_run):  # type: ignore[no-untyped-def]
            return import_hsds(path, source or "Open Referral HSDS", dry_run=dry_run)

        register(Format("hsds", "Open Referral HSDS 3.0（JSON、またはデータパッケージの .zip）", run,
                        row_label="%(row)d 件目"))
