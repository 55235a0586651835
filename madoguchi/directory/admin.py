"""Admin for staff (in Japanese). Every edit is recorded by django-simple-history: who, when, what.

The plan's wording and today's facts sit in separate fieldsets, so staff record what changed
since 2005 (with its own as-of date) without overwriting what the plan said.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from madoguchi.directory import admin_accounts
from madoguchi.directory.admin_scope import InstitutionScopedAdmin, ReferenceDataAdmin
from madoguchi.directory.forms import FacilityAdminForm, LocationAdminForm, MembershipAdminForm, OrganizationAdminForm
from madoguchi.directory.models import (
    Area,
    BusinessStage,
    Facility,
    Field,
    Location,
    Membership,
    Municipality,
    Organization,
    OrganizationFunction,
    Program,
    SupportFunction,
)

PLAN_FIELDSET = _("計画の記載（2005年12月時点）")
CURRENT_FIELDSET = _("現在の情報（職員が記録。時点を必ず入力）")
# Provenance of rows loaded from the plan is the plan's; staff may not rewrite it.
PLAN_PROVENANCE = ["plan_key", "source", "as_of"]


# Some model fields have no Japanese verbose_name yet (models.py belongs to the loader's owner);
# the admin labels them here so staff never see Django's English fallback ("Municipality").
FALLBACK_LABELS = {
    "municipality": _("市区町村"), "order": _("表示順"), "function": _("支援機能"), "organization": _("機関"),
    "slug": _("スラッグ"), "user": _("ユーザー"),
}


class JapaneseLabelsMixin:
    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]  # a mixin: its ModelAdmin has it
        untranslated = str(db_field.verbose_name) == db_field.name.replace("_", " ")
        if formfield is not None and untranslated and db_field.name in FALLBACK_LABELS:
            formfield.label = capfirst(FALLBACK_LABELS[db_field.name])
        return formfield


def summarise_inline_changes(formsets: list[BaseInlineFormSet]) -> str:
    """Return e.g. 「所在地: 追加 1件、変更 1件」 for the inline rows a save touched.

    simple-history records the organization's own fields; rows edited inline (functions,
    offices) have no history of their own, so the organization's record names them.
    """
    parts = []
    for formset in formsets:
        counts = []
        for label, objects in (
            (gettext("追加"), formset.new_objects),
            (gettext("変更"), formset.changed_objects),
            (gettext("削除"), formset.deleted_objects),
        ):
            if objects:
                counts.append(gettext("%(what)s %(n)d件") % {"what": label, "n": len(objects)})
        if counts:
            name = capfirst(formset.model._meta.verbose_name)
            parts.append(f"{name}: {'、'.join(counts)}")
    return "／".join(parts)


class JapaneseHistoryAdmin(JapaneseLabelsMixin, SimpleHistoryAdmin):
    """SimpleHistoryAdmin with Japanese history pages and inline edits named in the record."""

    object_history_template = "directory/admin/object_history.html"
    object_history_list_template = "directory/admin/object_history_list.html"

    def history_view_title(self, request: HttpRequest, obj: Model) -> str:
        return gettext("変更履歴: %s") % obj

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not hasattr(self.model, "plan_key"):
            return fields
        # plan_key is never edited; source and as_of are the plan's once a row came from it.
        protected = PLAN_PROVENANCE if obj is not None and obj.plan_key else ["plan_key"]
        return fields + [name for name in protected if name not in fields]

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list[Any], change: bool) -> None:
        super().save_related(request, form, formsets, change)
        summary = summarise_inline_changes(formsets)
        history = getattr(form.instance, "history", None)
        if summary and history is not None:
            # The record written by save_model() a moment ago, in the same transaction.
            record = history.first()
            if record is not None:
                record.history_change_reason = summary[:100]
                record.save(update_fields=["history_change_reason"])


class OrganizationFunctionInline(JapaneseLabelsMixin, admin.TabularInline):
    model = OrganizationFunction
    extra = 0
    fields = ["function", "derived", "basis"]


class LocationInline(JapaneseLabelsMixin, admin.TabularInline):
    model = Location
    form = LocationAdminForm
    extra = 0
    fields = ["label", "address", "municipality", "phone", "order", "source"]
    autocomplete_fields = ["municipality"]


@admin.register(Organization)
class OrganizationAdmin(InstitutionScopedAdmin, JapaneseHistoryAdmin):
    form = OrganizationAdminForm
    scope_field = "pk"  # an institution's staff edit their own institution's record
    list_display = ["name", "kind", "plan_number", "phone", "municipality", "status", "as_of", "current_as_of"]
    list_select_related = ["municipality"]
    list_filter = ["kind", "status", "functions"]
    search_fields = ["name", "current_name", "kana", "address"]
    readonly_fields = ["source_refs"]
    autocomplete_fields = ["parent", "municipality", "successor"]
    filter_horizontal = ["fields", "stages"]
    inlines = [OrganizationFunctionInline, LocationInline]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # A new institution is a platform decision, not one institution's.
        return self.is_platform(request) and super().has_add_permission(request, *args)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # The kind decides who may hold platform-wide roles: the platform decides it.
        return fields if self.is_platform(request) else fields + ["kind", "slug"]

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        # Scoped staff search only their own institution, so parent/successor are plain selects.
        return list(self.autocomplete_fields) if self.is_platform(request) else ["municipality"]

    fieldsets = [
        (PLAN_FIELDSET, {"fields": [
            "name", "kana", "name_en", "slug", "kind", "sector", "parent", "plan_number", "postal_code",
            "address", "municipality", "phone", "url", "email", "main_functions_text", "description",
            "fields", "stages",
        ]}),
        (_("出典"), {"fields": ["plan_key", "source", "as_of", "source_refs"]}),
        (_("概要（編集部による補足。計画の記述ではありません）"), {
            "description": _(
                "計画に記述のない機関の概要です。書き換えたときは出典を自分の所属に、時点をその日付に直してください"
                "（出典が編集部のままだと、計画を再読み込みしたときに元の概要に戻ります）。"
            ),
            "fields": ["profile", "profile_en", "profile_source", "profile_as_of"],
        }),
        (CURRENT_FIELDSET, {
            "description": _("計画の記載は書き換えず、現在の事実をここに記録してください。記録するときは「現況の時点」が必要です。"),
            "fields": [
                "status", "current_name", "current_address", "current_phone", "current_note",
                "current_as_of", "successor", "verified_at",
            ],
        }),
    ]


@admin.register(Program)
class ProgramAdmin(InstitutionScopedAdmin, JapaneseHistoryAdmin):
    scope_field = "organization"
    scope_fk_fields = ("organization",)
    list_display = ["name", "organization", "category", "application_closes", "as_of", "current_as_of"]
    list_select_related = ["organization"]
    list_filter = ["category", "functions"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["functions", "stages", "fields", "eligibility_area"]
    fieldsets = [
        (PLAN_FIELDSET, {"fields": [
            "name", "slug", "organization", "category", "description", "functions", "function_basis",
            "stages", "fields", "eligibility_area", "eligibility_size", "eligibility",
            "application_opens", "application_closes", "contact", "url", "order",
        ]}),
        (_("出典"), {"fields": ["source", "as_of", "verified_at"]}),
        (CURRENT_FIELDSET, {"fields": ["current_note", "current_as_of"]}),
    ]


@admin.register(Facility)
class FacilityAdmin(InstitutionScopedAdmin, JapaneseHistoryAdmin):
    form = FacilityAdminForm
    scope_field = "operator"
    scope_fk_fields = ("operator",)
    list_display = ["name", "kind", "operator", "as_of", "current_as_of"]
    list_select_related = ["operator"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["operator", "municipality"]
    fieldsets = [
        (PLAN_FIELDSET, {"fields": [
            "name", "slug", "kind", "operator", "operator_basis", "address", "municipality", "description",
        ]}),
        (_("出典"), {"fields": ["source", "as_of", "verified_at"]}),
        (CURRENT_FIELDSET, {"fields": ["current_note", "current_as_of"]}),
    ]


@admin.register(Area)
class AreaAdmin(ReferenceDataAdmin, JapaneseHistoryAdmin):
    list_display = ["name", "designation", "area_km2"]
    filter_horizontal = ["municipalities"]


@admin.register(Municipality)
class MunicipalityAdmin(ReferenceDataAdmin, JapaneseLabelsMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to", "successor"]
    list_select_related = ["parent", "successor"]
    list_filter = ["kind"]
    search_fields = ["name", "kana", "code"]


@admin.register(SupportFunction)
class SupportFunctionAdmin(ReferenceDataAdmin, JapaneseLabelsMixin, admin.ModelAdmin):
    list_display = ["order", "name", "code", "short_name"]


@admin.register(BusinessStage)
class BusinessStageAdmin(ReferenceDataAdmin, JapaneseLabelsMixin, admin.ModelAdmin):
    list_display = ["order", "name", "code"]


@admin.register(Field)
class FieldAdmin(ReferenceDataAdmin, JapaneseLabelsMixin, admin.ModelAdmin):
    list_display = ["order", "name", "code", "strategic"]


@admin.register(Membership)
class MembershipAdmin(InstitutionScopedAdmin, JapaneseLabelsMixin, admin.ModelAdmin):
    """An institution's administrator manages its own staff; platform roles are the platform's."""

    form = MembershipAdminForm
    list_display = ["user", "organization", "role", "created"]
    list_filter = ["role"]
    autocomplete_fields = ["organization"]
    scope_field = "organization"
    scope_fk_fields = ("organization",)

    def in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        if not self.is_platform(request) and not request.user.has_perm("directory.may_manage_memberships"):
            return False  # staff and read-only members do not manage memberships
        return super().in_scope(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        # the admin's form class is made from self.form, a MembershipAdminForm
        form = cast(type[MembershipAdminForm], super().get_form(request, obj, change, **kwargs))
        form.platform = self.is_platform(request)
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user" and not self.is_platform(request):
            # Accounts without an institution, or already at one's own: never another's staff.
            from django.contrib.auth.models import User
            from django.db.models import Q

            own = self.own_organization(request)
            kwargs["queryset"] = User.objects.filter(is_superuser=False).filter(
                Q(membership__isnull=True) | Q(membership__organization=own))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


admin_accounts.register()  # accounts, groups and login records, scoped by the same mixin
