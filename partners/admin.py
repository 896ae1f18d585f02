from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone

from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin
from partners.forms import PartnerHostForm
from partners.models import CoBrandedRegistration, Partner, PartnerHost
from partners.services import (
    partner_cache_clear,
    partner_delete,
    partner_records_export,
    partner_save,
)


class PartnerHostInline(admin.TabularInline):
    model = PartnerHost
    form = PartnerHostForm
    extra = 1


@admin.register(Partner)
class PartnerAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "active", "notice_version"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["notice_version"]
    inlines = [PartnerHostInline]
    actions = ["export_records"]

    def get_readonly_fields(self, request, obj=None):
        # Usage is counted under the slug (privacy.DailyCount.site): changing it would
        # part the partner from its counts so far, and lose those not yet flushed.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        partner_save(partner=obj, changed_fields=form.changed_data if change else [])

    def delete_model(self, request, obj):
        partner_delete(partner=obj)

    def delete_queryset(self, request, queryset):
        for partner in queryset:
            partner_delete(partner=partner)

    def save_related(self, request, form, formsets, change):
        former_hosts = list(form.instance.hosts.values_list("host", flat=True))
        super().save_related(request, form, formsets, change)
        partner_cache_clear(partner=form.instance, former_hosts=former_hosts)

    def has_export_records_permission(self, request):
        return request.user.has_perm("partners.export_records")

    @admin.action(
        description="Export the records made on this partner's pages (CSV; logged as a disclosure)",
        permissions=["export_records"],
    )
    def export_records(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one partner to export.", messages.ERROR)
            return None
        partner = queryset.get()
        content = partner_records_export(partner=partner, staff=request.user)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        filename = f"{partner.slug}-records-{timezone.now():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(CoBrandedRegistration)
class CoBrandedRegistrationAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "partner", "email", "notice_version"]
    list_filter = ["partner"]
    search_fields = ["email", "name"]
    list_select_related = ["partner"]
