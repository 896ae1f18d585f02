from django.contrib import admin

from partners.models import Partner, PartnerHost


class PartnerHostInline(admin.TabularInline):
    model = PartnerHost
    extra = 1


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active", "notice_version"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnerHostInline]
