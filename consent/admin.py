from django.contrib import admin

from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin, ReadOnlyInline
from consent.models import ConsentEvent, Election, Subject
from consent.selectors import email_digest_searched

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

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # An erased address is kept as its digest alone: the suppression it stays under
        # is found by the address too.
        if digest := email_digest_searched(search_term):
            results |= queryset.filter(email_digest=digest)
        return results, may_have_duplicates


@admin.register(ConsentEvent)
class ConsentEventAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "subject", "purpose", "granted", "source", "policy_version"]
    list_filter = ["purpose", "granted", "source"]
    search_fields = ["subject__email"]
    readonly_fields = ["subject", *EVENT_FIELDS]
    list_select_related = ["subject", "policy_version"]
    date_hierarchy = "occurred_at"
