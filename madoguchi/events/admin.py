"""Staff manage events in the admin; registrations are shown read-only (people change their own)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from madoguchi.directory.admin_scope import InstitutionScopedAdmin
from madoguchi.events import notify
from madoguchi.events.models import Digest, Event, Registration, Subscription
from madoguchi.lib.spreadsheet import csv_writer

# A tuple: both attributes take it as it is typed (a list would have to match each one's list type).
_REGISTRATION_FIELDS = ("name", "organization_name", "email", "phone", "status", "created", "cancelled_at", "anonymised_at")


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = _REGISTRATION_FIELDS
    readonly_fields = _REGISTRATION_FIELDS
    ordering = ["status", "created"]
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(InstitutionScopedAdmin, SimpleHistoryAdmin):
    # Staff of one institution manage that institution's events (and see their roll call) only.
    scope_field = "organization"
    scope_fk_fields = ("organization",)
    autocomplete_fields = ["organization"]
    list_display = ["title", "kind", "organization", "starts_at", "capacity", "status"]
    list_filter = ["status", "kind", "functions"]
    search_fields = ["title", "description", "venue", "organization__name"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["functions", "fields", "stages"]
    readonly_fields = ["uuid"]
    inlines = [RegistrationInline]
    actions = ["download_registrations"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "organization", "status", "slug", "uuid", "description"]}),
        (_("日時と会場"), {"fields": ["starts_at", "ends_at", "venue", "address", "municipality", "online"]}),
        (_("申し込み"), {"fields": ["capacity", "registration_opens", "registration_closes", "fee", "contact"]}),
        (_("分類"), {"fields": ["functions", "fields", "stages"]}),
    ]

    @admin.action(description=_("参加者名簿をダウンロード（CSV）"))
    def download_registrations(self, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse:
        """The roll call for the reception desk: confirmed first, then the waiting list in order.

        Names come from the public form, so text a spreadsheet would run is escaped (lib.spreadsheet).
        """
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="registrations.csv"'
        response.write("\ufeff")  # a BOM, so Excel opens the Japanese text as UTF-8
        writer = csv_writer(response)
        writer.writerow([_("イベント"), _("開始日時"), _("状態"), _("順番"), _("氏名"), _("会社・団体名"),
                         _("メールアドレス"), _("電話番号"), _("申込日時")])
        # "confirmed" sorts before "waitlisted"
        registrations = (
            Registration.objects.filter(event__in=queryset).exclude(status=Registration.Status.CANCELLED)
            .select_related("event").order_by("event__starts_at", "event_id", "status", "created", "pk")
        )
        waiting: dict[int, int] = {}
        for r in registrations:
            position = ""
            if r.status == Registration.Status.WAITLISTED:
                waiting[r.event_id] = waiting.get(r.event_id, 0) + 1
                position = str(waiting[r.event_id])
            writer.writerow([
                r.event.title, timezone.localtime(r.event.starts_at).strftime("%Y-%m-%d %H:%M"),
                r.get_status_display(), position, r.name, r.organization_name, r.email, r.phone,
                timezone.localtime(r.created).strftime("%Y-%m-%d %H:%M"),
            ])
        return response

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data and obj.status == Event.Status.CANCELLED:
            told = notify.event_cancelled(obj)
            self.message_user(request, _("申込者 %(n)d 名に中止のお知らせを送ります。") % {"n": told}, messages.INFO)
        if change and obj.status == Event.Status.PUBLISHED:
            # A raised capacity gives the new seats to the people waiting, in order.
            with transaction.atomic():
                promoted = obj.fill_from_waitlist()
                for registration in promoted:
                    notify.promoted(registration)
            if promoted:
                self.message_user(
                    request, _("キャンセル待ちの %(n)d 名を参加確定に繰り上げました。") % {"n": len(promoted)},
                    messages.INFO,
                )


@admin.register(Subscription)
class SubscriptionAdmin(InstitutionScopedAdmin, admin.ModelAdmin):
    platform_only = True  # subscribers' addresses belong to no one institution
    list_display = ["email", "created", "confirmed_at", "unsubscribed_at"]
    list_filter = ["functions"]
    search_fields = ["email"]
    readonly_fields = ["uuid", "created", "confirmed_at", "unsubscribed_at"]


@admin.register(Digest)
class DigestAdmin(InstitutionScopedAdmin, admin.ModelAdmin):
    platform_only = True
    list_display = ["subscription", "day", "event_count", "created"]
    date_hierarchy = "day"
