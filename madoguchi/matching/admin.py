from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from madoguchi.matching.models import Feedback, Introduction, Listing, Match, SavedInterest


@admin.register(Listing)
class ListingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "visibility", "owner_organization", "owner_client", "expires_on"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title", "description", "external_key"]
    raw_id_fields = ["owner_organization", "owner_client", "municipality", "created_by"]


@admin.register(Introduction)
class IntroductionAdmin(SimpleHistoryAdmin):
    list_display = ["listing", "candidate", "status", "created", "case_ref"]
    list_filter = ["status"]
    raw_id_fields = ["listing", "candidate", "requested_by", "approved_by"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["listing", "candidate", "reason", "created"]
    raw_id_fields = ["listing", "candidate", "by"]


admin.site.register(Match, list_display=["listing", "rank", "candidate", "score", "refreshed_at"], raw_id_fields=["listing", "candidate"])
admin.site.register(SavedInterest, list_display=["email", "kind", "keywords"])
