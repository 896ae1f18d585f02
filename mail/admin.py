from django.contrib import admin

from careerperfect.admin_mixins import ReadOnlyAdminMixin
from mail.models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["to", "subject"]
    exclude = ["text", "html"]
