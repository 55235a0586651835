from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from madoguchi.cases.anonymise import anonymise_case
from madoguchi.cases.models import Case, CaseRead, Client, Referral
from madoguchi.cases.rules import staff_visible_cases
from madoguchi.directory import roles
from madoguchi.directory.admin_scope import InstitutionScopedAdmin
from madoguchi.directory.models import Organization


def visible_cases(request: HttpRequest) -> QuerySet[Case]:
    """The cases an admin user may see: the same consent rule as the case pages (cases.rules)."""
    return staff_visible_cases(request.user)


class CaseScopedAdmin(InstitutionScopedAdmin):
    """Rows that belong to a case: scoped by the consent rule (visible_cases), not by one field."""

    case_field = "case"

    @staticmethod
    def is_platform(request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    @staticmethod
    def own_organization(request: HttpRequest) -> Organization | None:
        m = roles.staff_membership(request.user)
        return m.organization if m is not None else None

    def scope_queryset(self, request: HttpRequest, queryset: Any, organization: Organization) -> Any:
        return queryset.filter(**{f"{self.case_field}__in": visible_cases(request)})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A case's records end by anonymisation (kept for the reports), never by deletion.
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)


@admin.action(description=_("選択した終了済みの相談を匿名化する"))
def anonymise_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Case]) -> None:
    done = 0
    for case in queryset.filter(status=Case.Status.CLOSED, anonymised_at__isnull=True):
        anonymise_case(case)
        done += 1
    skipped = queryset.count() - done
    modeladmin.message_user(request, _("%(done)d 件を匿名化しました（終了していない・匿名化済みの %(skipped)d 件は対象外）。")
                            % {"done": done, "skipped": skipped}, messages.SUCCESS)


@admin.register(Case)
class CaseAdmin(CaseScopedAdmin, SimpleHistoryAdmin):
    case_field = "pk"
    list_display = ["short_code", "owner", "status", "outcome", "created", "closed_at", "anonymised_at"]
    list_filter = ["status", "outcome", "consent"]
    readonly_fields = ["code", "client", "owner", "need", "consent", "consent_given_at", "consent_withdrawn_at",
                       "status", "outcome", "created", "closed_at", "anonymised_at"]
    exclude = ["functions", "named_organizations", "municipality", "stage"]
    actions = [anonymise_selected]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(CaseScopedAdmin, SimpleHistoryAdmin):
    list_display = ["case", "from_org", "to_org", "status", "created", "overdue_flagged_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Referral._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(CaseScopedAdmin, admin.ModelAdmin):
    def scope_queryset(self, request: HttpRequest, queryset: Any, organization: Organization) -> Any:
        return queryset.filter(pk__in=visible_cases(request).values("client_id"))
    list_display = ["name", "kind", "email", "created", "anonymised_at"]
    search_fields = ["name", "email", "corporate_number"]


@admin.register(CaseRead)
class CaseReadAdmin(CaseScopedAdmin, admin.ModelAdmin):
    list_display = ["case", "organization", "user", "day", "what", "count", "via", "last_at"]
    readonly_fields = ["case", "organization", "user", "day", "what", "count", "via", "at", "last_at"]

    # The log of who read a case is written by the case pages only; nobody forges or edits it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
