"""Admin for institution staff. Every edit is recorded by django-simple-history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from madoguchi.directory.models import (
    Area, BusinessStage, Facility, Field, Location, Membership, Municipality, Organization,
    OrganizationFunction, Program, SupportFunction,
)


class OrganizationFunctionInline(admin.TabularInline):
    model = OrganizationFunction
    extra = 0


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "plan_number", "phone", "municipality", "status", "as_of", "current_as_of"]
    list_filter = ["kind", "status", "functions"]
    search_fields = ["name", "current_name", "kana", "address"]
    readonly_fields = ["plan_key", "source", "as_of", "source_refs"]
    inlines = [OrganizationFunctionInline, LocationInline]
    fieldsets = [
        ("計画の記載（2005年12月時点）", {"fields": [
            "name", "kana", "name_en", "slug", "kind", "sector", "parent", "plan_number", "postal_code",
            "address", "municipality", "phone", "url", "email", "main_functions_text", "description",
            "fields", "stages", "plan_key", "source", "as_of", "source_refs",
        ]}),
        ("現在の情報（職員が記録）", {"fields": [
            "status", "current_name", "current_address", "current_phone", "current_note",
            "current_as_of", "successor", "verified_at",
        ]}),
    ]


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "category", "application_closes", "as_of"]
    list_filter = ["category", "functions"]
    search_fields = ["name", "description"]
    readonly_fields = ["plan_key", "source", "as_of"]
    filter_horizontal = ["functions", "stages", "fields", "eligibility_area"]


@admin.register(Facility)
class FacilityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "operator", "as_of"]
    readonly_fields = ["plan_key", "source", "as_of"]


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "designation"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to", "successor"]
    list_filter = ["kind"]
    search_fields = ["name", "kana", "code"]


admin.site.register(SupportFunction)
admin.site.register(BusinessStage)
admin.site.register(Field)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created"]
    list_filter = ["role"]
    autocomplete_fields = ["organization"]
