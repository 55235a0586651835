"""The platform's rows in the admin — every institution's mail, every token — are for superusers
only (as they were under the cases admin): no institution's staff, however privileged, sees
another institution's mail or tokens here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from madoguchi.platform.models import ApiToken, JobRun, OutboundEmail


class SuperuserOnlyAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(SuperuserOnlyAdmin):
    list_display = ["to", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnlyAdmin):
    list_display = ["prefix", "name", "user", "created", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued with `madoguchi issue-api-token`, which shows the token once


@admin.register(JobRun)
class JobRunAdmin(SuperuserOnlyAdmin):
    """The worker's schedule, to read: the worker writes these rows (`madoguchi worker --list-jobs`)."""

    list_display = ["name", "schedule", "last_started", "last_finished", "last_count", "locked_until", "holder"]
    readonly_fields = ["name", "schedule", "created", "last_started", "last_finished", "last_count", "last_line",
                       "last_error", "locked_until", "holder"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
