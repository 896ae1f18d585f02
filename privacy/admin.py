from django.contrib import admin

from careerperfect.admin_mixins import ReadOnlyAdminMixin
from privacy.models import Disclosure, PolicyVersion, StaffAccess


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "version", "effective_date", "published_at"]
    list_filter = ["document"]


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "basis", "reference", "recorded_by"]
    list_filter = ["basis"]
    search_fields = ["recipient", "reference", "subjects__email"]
    list_select_related = ["recorded_by"]


@admin.register(StaffAccess)
class StaffAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "staff", "action", "description"]
    list_filter = ["action"]
    search_fields = ["staff__email", "description"]
    list_select_related = ["staff"]
