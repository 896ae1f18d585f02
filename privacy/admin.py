from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin
from consent.purposes import Purpose
from consent.selectors import consent_granted_subjects
from privacy.charts import weekly_lines_svg
from privacy.forms import DisclosureRecordForm, PartnerReportForm, UsageFilterForm
from privacy.models import (
    DailyCount,
    Disclosure,
    FileDeletion,
    PolicyVersion,
    ServiceProvider,
    StaffAccess,
)
from privacy.rendering import policy_html
from privacy.selectors import policy_version_changes, usage_weekly
from privacy.services import (
    PolicyPublishError,
    disclosure_record_for_addresses,
    partner_report_export,
    policy_version_publish,
)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    """Drafts are written and previewed here, then published with the action.

    A published version is part of the public archive: it can be read, never edited
    or deleted; a correction is a new version.
    """

    list_display = ["__str__", "effective_date", "state", "published_at"]
    list_filter = ["document"]
    list_select_related = ["published_by"]
    fields = [
        "document",
        "version",
        "effective_date",
        "summary",
        "body",
        "preview",
        "published_at",
        "published_by",
    ]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return self.fields
        return ["preview", "published_at", "published_by"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Bulk deletion would not stop at drafts.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def get_changeform_initial_data(self, request):
        document = request.GET.get("document", PolicyVersion.Document.PRIVACY_POLICY)
        latest = PolicyVersion.objects.filter(document=document).order_by("-version").first()
        return {
            "document": document,
            "version": latest.version + 1 if latest else 1,
            "effective_date": timezone.localdate(),
        }

    @admin.display(description="State")
    def state(self, obj):
        return "Published" if obj.published_at else "Draft"

    @admin.display(description="Preview (as the site shows it)")
    def preview(self, obj):
        if obj is None or not obj.body:
            return "Save the draft to see it as the site will show it."
        return format_html('<div class="policy-preview">{}</div>', mark_safe(policy_html(obj.body)))  # noqa: S308 - sanitised by nh3

    def has_publish_permission(self, request):
        return request.user.has_perm("privacy.publish_policyversion")

    @admin.action(
        description="Publish",
        permissions=["publish"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def publish(self, request, queryset):
        """Show what each version changes and who is told, then publish on "apply":
        a published version is public for good, and its notice is mailed at once."""
        versions = queryset.order_by("document", "version")
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/privacy/policyversion/publish.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Publish these versions",
                    "opts": self.opts,
                    "versions": [
                        (version, *policy_version_changes(version=version)) for version in versions
                    ],
                    "notified": consent_granted_subjects(purpose=Purpose.SITE_UPDATES).count(),
                    # Posted again as they came, with "apply": from the list or the form.
                    "posted": [
                        (name, value)
                        for name in request.POST
                        if name != "csrfmiddlewaretoken"
                        for value in request.POST.getlist(name)
                    ],
                },
            )
        for version in versions:
            try:
                policy_version_publish(version=version, published_by=request.user)
            except PolicyPublishError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{version} is published.", messages.SUCCESS)
        return None


@admin.register(ServiceProvider)
class ServiceProviderAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "function", "data_categories", "listed"]
    list_filter = ["function", "listed"]
    search_fields = ["name"]


@admin.register(Disclosure)
class DisclosureAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The disclosure log: read-only for everyone. Privacy Officers add entries through
    disclosure_record(), like every other disclosure; nobody changes or deletes one."""

    list_display = [
        "created_at",
        "recipient",
        "basis",
        "reference",
        "shown_to_subject",
        "recorded_by",
    ]
    list_filter = ["basis", "shown_to_subject"]
    search_fields = ["recipient", "reference", "subjects__email"]
    list_select_related = ["recorded_by"]
    fields = [
        "created_at",
        "recipient",
        "basis",
        "reference",
        "data_categories",
        "subjects",
        "shown_to_subject",
        "recorded_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("privacy.add_disclosure")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DisclosureRecordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            disclosure = disclosure_record_for_addresses(
                emails=data["emails"],
                recipient=data["recipient"],
                data_categories=data["data_categories"],
                basis=Disclosure.Basis(data["basis"]),
                reference=data["reference"],
                recorded_by=request.user,
                shown_to_subject=data["shown_to_subject"],
            )
            self.log_addition(request, disclosure, [{"added": {}}])
            self.message_user(request, "The disclosure is recorded.", messages.SUCCESS)
            return redirect("admin:privacy_disclosure_change", disclosure.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a disclosure",
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/privacy/disclosure/record.html", context)


@admin.register(StaffAccess)
class StaffAccessAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "staff", "action", "description"]
    list_filter = ["action"]
    search_fields = ["staff__email", "description"]
    list_select_related = ["staff"]


@admin.register(DailyCount)
class DailyCountAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Aggregate usage (P1, P2): a weekly chart and table instead of a list of rows,
    and the partner report export."""

    def get_urls(self):
        return [
            path(
                "partner-report/",
                self.admin_site.admin_view(self.partner_report_view),
                name="privacy_dailycount_partner_report",
            ),
            *super().get_urls(),
        ]

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("privacy.export_partner_report")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Its own ids: the partner report form on the same page has a "weeks" field too.
        filters = UsageFilterForm(request.GET or None, auto_id="filter_%s")
        site, weeks = filters.selected()
        usage = usage_weekly(weeks=weeks, until=timezone.localdate(), site=site)
        visits = [c for c in usage.columns if c.kind == DailyCount.Kind.VISIT]
        uses = [c for c in usage.columns if c.kind == DailyCount.Kind.USE]
        context = {
            **self.admin_site.each_context(request),
            "title": "Usage analytics",
            "opts": self.opts,
            "filters": filters,
            "usage": usage,
            "rows": [
                (week, [column.counts[index] for column in usage.columns])
                for index, week in enumerate(usage.weeks)
            ],
            "visits_chart": weekly_lines_svg(
                chart_id="visits-chart",
                title="Page visits per site area, by week",
                weeks=usage.weeks,
                series=[(c.name, c.counts) for c in visits],
            ),
            "uses_chart": weekly_lines_svg(
                chart_id="uses-chart",
                title="Uses per service, by week",
                weeks=usage.weeks,
                series=[(c.name, c.counts) for c in uses],
            )
            if uses
            else None,
            "can_export": self.has_export_permission(request),
            "report_form": PartnerReportForm(),
            "report_url": reverse("admin:privacy_dailycount_partner_report"),
            "min_count": settings.PARTNER_REPORT_MIN_COUNT,
        }
        return TemplateResponse(request, "admin/privacy/dailycount/usage.html", context)

    def partner_report_view(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        form = PartnerReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            filename, text = partner_report_export(
                partner=form.cleaned_data["partner"],
                scope=form.cleaned_data["scope"],
                weeks=form.cleaned_data["weeks"],
                exported_by=request.user,
            )
            return HttpResponse(
                text,
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Partner usage report",
            "opts": self.opts,
            "report_form": form,
            "report_url": reverse("admin:privacy_dailycount_partner_report"),
            "min_count": settings.PARTNER_REPORT_MIN_COUNT,
        }
        return TemplateResponse(request, "admin/privacy/dailycount/partner_report.html", context)


@admin.register(FileDeletion)
class FileDeletionAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Files of deleted records still on disk: beat deletes them (every 15 minutes);
    a row that stays with attempts counting up needs someone to look at the storage."""

    list_display = ["created_at", "storage", "name", "attempts", "last_error"]
    list_filter = ["storage"]
