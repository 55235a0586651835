"""Admin: sources with the program-file upload, catalog entries with their rounds and 要確認.

The upload runs the same importer as `madoguchi import-programs` (one transaction, per-row
results, dry run); a file names programs of any institution, so sources and the upload are the
platform administrators' (catalog.may_import_programs). Entries and 法人番号 are scoped to the
own institution like every app's rows (directory/admin_scope.py). directory's Program admin gets the catalog facts as an inline by
re-registering a subclass here, since directory depends on nothing of ours.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from madoguchi.catalog.formats import FORMATS, choices
from madoguchi.catalog.models import CallRound, CatalogEntry, CorporateNumber, Source
from madoguchi.catalog.presentation import program_facts
from madoguchi.directory.admin import JapaneseLabelsMixin, ProgramAdmin
from madoguchi.directory.admin_scope import InstitutionScopedAdmin
from madoguchi.directory.models import Program

SHOWN_ROWS = 500


class CallRoundInline(JapaneseLabelsMixin, admin.TabularInline):
    model = CallRound
    extra = 0
    fields = ["name", "opens_at", "closes_at", "year_round"]


@admin.register(Source)
class SourceAdmin(InstitutionScopedAdmin, JapaneseLabelsMixin, admin.ModelAdmin):
    platform_only = True  # shared by every institution's programs; its upload writes any institution's
    list_display = ["name", "slug", "kind", "licence", "last_import_at"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["last_import_at"]
    autocomplete_fields = ["publisher"]
    change_list_template = "catalog/admin/source_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="catalog_source_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not (user.has_perm("catalog.may_import_programs") and user.has_perm("catalog.add_catalogentry")
                and user.has_perm("catalog.change_catalogentry")):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            fmt = FORMATS[form.cleaned_data["format"]]
            # The upload's own name (not a temporary one), so errors name the file the person sent.
            name = Path(upload.name).name or "upload.csv"
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / (name if Path(name).suffix else name + ".csv")
                with target.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                report = fmt.run(target, form.cleaned_data["source"], form.cleaned_data["dry_run"])
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "report": report,
            # Errors first: they are what the person uploading has to fix.
            "shown_rows": sorted(report.rows, key=lambda r: r.action != "error")[:SHOWN_ROWS] if report else [], "title": gettext("制度ファイルの取り込み"),
            "hidden_rows": max(len(report.rows) - SHOWN_ROWS, 0) if report else 0,
        }
        return TemplateResponse(request, "catalog/admin/import.html", context)


class ImportForm(forms.Form):
    # Labels of the new fields stay plain Japanese (staff-only page), as the importers' messages.
    format = forms.ChoiceField(label="形式", choices=choices, initial="csv", required=False)
    file = forms.FileField(label=_("ファイル（CSV または .xlsx）"), help_text="HSDS は JSON または .zip、Jグランツは API の応答の JSON")
    source = forms.CharField(
        label=_("出典の名前またはスラッグ"), max_length=200, required=False,
        help_text="なければ作成します。制度ファイルでは必須、HSDS では省略すると Open Referral HSDS、Jグランツでは使いません。",
    )
    dry_run = forms.BooleanField(label=_("試行（保存しない）"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["format"] = data.get("format") or "csv"  # the form before formats were offered
        fmt = FORMATS.get(data["format"])
        if fmt and fmt.needs_source and not data.get("source"):
            self.add_error("source", "制度ファイルには出典の名前が必要です。")
        return data

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.PROGRAM_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                gettext("ファイルが大きすぎます（上限 %(max)s バイト）。") % {"max": f"{settings.PROGRAM_IMPORT_MAX_BYTES:,}"}
            )
        return upload


class StaleFilter(admin.SimpleListFilter):
    """要確認 as the same query remind-stale uses (CatalogEntry.objects.stale), so staff find the mail's list."""

    title = _("要確認")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("要確認")), ("0", _("確認済み"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() not in ("0", "1"):
            return queryset
        stale = CatalogEntry.objects.stale(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=stale) if self.value() == "1" else queryset.exclude(pk__in=stale)


@admin.register(CatalogEntry)
class CatalogEntryAdmin(InstitutionScopedAdmin, JapaneseLabelsMixin, admin.ModelAdmin):
    scope_field = "program__organization"
    list_display = ["program", "source", "external_id", "type", "amount_max", "verified_at", "needs_check"]
    list_filter = [StaleFilter, "source", "type"]
    actions = ["mark_verified"]
    list_select_related = ["program", "source"]
    search_fields = ["program__name", "external_id"]
    raw_id_fields = ["program"]
    readonly_fields = ["source_fields", "updated_at"]
    inlines = [CallRoundInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("rounds")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # The raw id accepts any number typed in; scoped staff attach entries to their own programs only.
        if db_field.name == "program" and not self.is_platform(request):
            organization = self.own_organization(request)
            kwargs["queryset"] = Program.objects.filter(organization=organization.pk if organization else None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("要確認"), boolean=True)
    def needs_check(self, entry: CatalogEntry) -> bool:
        return program_facts(entry.program, entry, timezone.now()).stale

    @admin.display(description=_("確認日"), ordering="program__verified_at")
    def verified_at(self, entry: CatalogEntry) -> Any:
        return entry.program.verified_at

    @admin.action(description=_("内容に変更なし（確認日を今日にする）"), permissions=["change"])
    def mark_verified(self, request: HttpRequest, queryset: Any) -> None:
        today = timezone.localdate()
        count = Program.objects.filter(pk__in=queryset.values("program_id")).update(verified_at=today)
        self.message_user(request, gettext("%(n)d 件の確認日を今日にしました。") % {"n": count})


@admin.register(CorporateNumber)
class CorporateNumberAdmin(InstitutionScopedAdmin, admin.ModelAdmin):
    scope_field = "organization"
    scope_fk_fields = ("organization",)
    list_display = ["number", "organization"]
    search_fields = ["number", "organization__name"]
    autocomplete_fields = ["organization"]


class CatalogEntryInline(JapaneseLabelsMixin, admin.StackedInline):
    model = CatalogEntry
    extra = 0
    can_delete = False
    readonly_fields = ["source_fields"]


class CatalogProgramAdmin(ProgramAdmin):
    inlines = [*ProgramAdmin.inlines, CatalogEntryInline]
    list_display = [*ProgramAdmin.list_display, "needs_check"]
    list_select_related = [*ProgramAdmin.list_select_related, "catalog", "catalog__source"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("catalog__rounds")

    @admin.display(description=_("要確認"), boolean=True)
    def needs_check(self, program: Program) -> bool:
        # A missing one-to-one raises a subclass of AttributeError: the plan's programs have none.
        entry = getattr(program, "catalog", None)
        return program_facts(program, entry, timezone.now()).stale


admin.site.unregister(Program)
admin.site.register(Program, CatalogProgramAdmin)
