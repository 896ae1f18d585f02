from django.contrib import admin, messages

from careerperfect.admin_mixins import ListedFiltersOnlyMixin
from feedback.models import Feedback
from feedback.services import feedback_moderate


@admin.register(Feedback)
class FeedbackAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    """Moderation: staff move feedback through new → reviewed → approved / archived.

    What the author wrote, and whether they opted in to publication, is theirs: staff
    can read it but not change it. Approved feedback is public only while its author
    is opted in.
    """

    list_display = ["created_at", "__str__", "status", "publish", "display_name", "published"]
    list_filter = ["status", "publish"]
    search_fields = ["body", "name", "email", "display_name"]
    date_hierarchy = "created_at"
    fields = [
        "status",
        "body",
        "publish",
        "display_name",
        "publish_opted_in_at",
        "publish_withdrawn_at",
        "name",
        "email",
        "created_at",
        "moderated_by",
        "moderated_at",
    ]
    readonly_fields = [field for field in fields if field != "status"]
    actions = ["mark_reviewed", "approve", "archive"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("moderated_by")

    @admin.display(boolean=True, description="on the public page")
    def published(self, feedback):
        return feedback.is_published

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            feedback_moderate(feedback=obj, status=form.cleaned_data["status"], by=request.user)

    def _moderate(self, request, queryset, status):
        for feedback in queryset:
            feedback_moderate(feedback=feedback, status=status, by=request.user)
            self.log_change(request, feedback, f"Moderated: {status.label}")
        told = f"{len(queryset)} marked “{status.label}”."
        unpublished = sum(not feedback.publish for feedback in queryset)
        if status == Feedback.Status.APPROVED and unpublished:
            # Approving is not publishing: only what its author asked to publish shows.
            told += (
                f" {unpublished} of them stays off the success-stories page: its author did "
                "not ask for publication."
                if unpublished == 1
                else f" {unpublished} of them stay off the success-stories page: their authors "
                "did not ask for publication."
            )
        self.message_user(request, told, messages.SUCCESS)

    @admin.action(description="Mark selected feedback as reviewed", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        self._moderate(request, queryset, Feedback.Status.REVIEWED)

    @admin.action(description="Approve selected feedback", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Feedback.Status.APPROVED)

    @admin.action(description="Archive selected feedback", permissions=["change"])
    def archive(self, request, queryset):
        self._moderate(request, queryset, Feedback.Status.ARCHIVED)
