"""Listings and introductions in the admin, scoped per institution like every app's admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from madoguchi.directory.admin_scope import InstitutionScopedAdmin
from madoguchi.directory.models import Organization
from madoguchi.matching.models import Feedback, Introduction, Listing, Match, SavedInterest


@admin.register(Listing)
class ListingAdmin(InstitutionScopedAdmin, SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "visibility", "owner_organization", "owner_client", "expires_on"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title", "description", "external_key"]
    raw_id_fields = ["owner_organization", "owner_client", "municipality", "created_by"]
    scope_field = "owner_organization"
    scope_fk_fields = ("owner_organization",)

    def get_raw_id_fields(self, request: HttpRequest) -> list[str]:
        # A raw id would accept another institution's id; scoped staff choose from their own.
        fields = list(super().get_raw_id_fields(request))
        return fields if self.is_platform(request) else [f for f in fields if f not in ("owner_organization", "owner_client")]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return fields if self.is_platform(request) else fields + ["owner_client", "status"]


def _either_side(organization: Organization, prefix: str = "") -> Q:
    return Q(**{f"{prefix}listing__owner_organization": organization}) | Q(**{f"{prefix}candidate__owner_organization": organization})


@admin.register(Introduction)
class IntroductionAdmin(InstitutionScopedAdmin, SimpleHistoryAdmin):
    list_display = ["listing", "candidate", "status", "created", "case_ref"]
    list_filter = ["status"]
    raw_id_fields = ["listing", "candidate", "requested_by", "approved_by"]

    def scope_queryset(self, request: HttpRequest, queryset: Any, organization: Organization) -> Any:
        return queryset.filter(_either_side(organization))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Introductions move through the coordinator's pages (consent on both sides), not here.
        return self.is_platform(request) and super().has_change_permission(request, obj)


@admin.register(Feedback)
class FeedbackAdmin(InstitutionScopedAdmin, admin.ModelAdmin):
    list_display = ["listing", "candidate", "reason", "created"]
    raw_id_fields = ["listing", "candidate", "by"]
    scope_field = "listing__owner_organization"


@admin.register(Match)
class MatchAdmin(InstitutionScopedAdmin, admin.ModelAdmin):
    list_display = ["listing", "rank", "candidate", "score", "refreshed_at"]
    raw_id_fields = ["listing", "candidate"]
    scope_field = "listing__owner_organization"


@admin.register(SavedInterest)
class SavedInterestAdmin(InstitutionScopedAdmin, admin.ModelAdmin):
    list_display = ["email", "kind", "keywords"]
    platform_only = True  # visitors' addresses belong to no one institution
