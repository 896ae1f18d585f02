from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone

from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin
from contests.models import Contest, ContestEntry
from contests.services import NotExportable, contest_entries_export


@admin.register(Contest)
class ContestAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "partner", "prize_is_posted", "opens_at", "closes_at", "entry_count"]
    list_filter = ["partner", "prize_is_posted"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["partner"]
    actions = ["export_entries"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description="entries", ordering="entry_total")
    def entry_count(self, contest):
        return contest.entry_total

    def has_delete_permission(self, request, obj=None):
        # Entries (and the disclosures of them) refer to their contest.
        return False

    def has_export_entries_permission(self, request):
        return request.user.has_perm("contests.export_entries")

    @admin.action(
        description="Export entries as CSV for the co-sponsor (recorded as a disclosure)",
        permissions=["export_entries"],
    )
    def export_entries(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Export one contest at a time.", messages.ERROR)
            return None
        contest = queryset.select_related("partner").get()
        try:
            content = contest_entries_export(contest=contest, by=request.user)
        except NotExportable as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        filename = f"{contest.slug}-entries-for-{contest.partner.slug}-{timezone.now():%Y%m%d}.csv"
        return HttpResponse(
            content,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


@admin.register(ContestEntry)
class ContestEntryAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "contest",
        "name",
        "email",
        "partner",
        "notice_version",
        "site_partner",
    ]
    list_filter = ["contest"]
    search_fields = ["name", "email"]
    list_select_related = ["contest", "partner", "site_partner"]
    exclude = ["user"]
