from django.contrib import admin

from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin, ReadOnlyInline
from consent.models import ConsentEvent, Election, Subject

EVENT_FIELDS = [
    "occurred_at",
    "purpose",
    "granted",
    "source",
    "policy_version",
    "actor",
    "evidence",
    "recorded_at",
]


class ElectionInline(ReadOnlyInline):
    model = Election
    fields = ["purpose", "granted", "awaiting", "occurred_at"]
    readonly_fields = fields


class ConsentEventInline(ReadOnlyInline):
    model = ConsentEvent
    fields = EVENT_FIELDS
    readonly_fields = fields
    ordering = ["-occurred_at", "-id"]

    def get_queryset(self, request):
        # Each row shows its policy version and who made the change.
        return super().get_queryset(request).select_related("subject", "policy_version", "actor")


@admin.register(Subject)
class SubjectAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "user", "created_at"]
    search_fields = ["email", "user__email"]
    readonly_fields = ["email", "email_digest", "user", "merged_into", "created_at"]
    inlines = [ElectionInline, ConsentEventInline]
    list_select_related = ["user"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "subject", "purpose", "granted", "source", "policy_version"]
    list_filter = ["purpose", "granted", "source"]
    search_fields = ["subject__email"]
    readonly_fields = ["subject", *EVENT_FIELDS]
    list_select_related = ["subject", "policy_version"]
    date_hierarchy = "occurred_at"
