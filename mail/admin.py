from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin
from consent.selectors import consent_granted_subjects
from mail.models import Campaign, Delivery, InboundMessage, OutboundMessage
from mail.services import (
    campaign_message_context,
    campaign_message_render,
    campaign_schedule,
    campaign_test_send,
    campaign_unschedule,
    campaigns_with_counts,
)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["to", "subject"]
    exclude = ["text", "html"]


@admin.register(InboundMessage)
class InboundMessageAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "from_address", "subject", "outcome", "reason", "source"]
    list_filter = ["outcome", "source", ("received_at", admin.DateFieldListFilter)]
    search_fields = ["from_address", "message_id"]
    date_hierarchy = "received_at"


@admin.register(Delivery)
class DeliveryAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "campaign", "status", "updated_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["email"]
    list_select_related = ["campaign"]
    raw_id_fields = ["outbound"]


@admin.register(Campaign)
class CampaignAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    list_display = [
        "subject",
        "kind",
        "status",
        "send_at",
        "queued_count",
        "sent_count",
        "withdrawn_count",
        "failed_count",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["subject"]
    fields = ["kind", "subject", "body_markdown", "send_at"]
    change_form_template = "admin/mail/campaign/change_form.html"

    def get_queryset(self, request):
        return campaigns_with_counts()

    @admin.display(description="queued", ordering="queued_count")
    def queued_count(self, obj):
        return obj.queued_count

    @admin.display(description="sent", ordering="sent_count")
    def sent_count(self, obj):
        return obj.sent_count

    @admin.display(description="skipped: withdrawn", ordering="withdrawn_count")
    def withdrawn_count(self, obj):
        return obj.withdrawn_count

    @admin.display(description="failed", ordering="failed_count")
    def failed_count(self, obj):
        return obj.failed_count

    def has_change_permission(self, request, obj=None):
        # Once scheduled, what is sent is fixed: the campaign can only be looked at.
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="mail_campaign_preview"),
            path("<int:pk>/test/", wrap(self.test_view), name="mail_campaign_test"),
            path("<int:pk>/send/", wrap(self.send_view), name="mail_campaign_send"),
            path(
                "<int:pk>/unschedule/",
                wrap(self.unschedule_view),
                name="mail_campaign_unschedule",
            ),
            *super().get_urls(),
        ]

    def _campaign(self, request, pk) -> Campaign:
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        return campaign

    def preview_view(self, request, pk):
        campaign = self._campaign(request, pk)
        recipient = {
            "campaign": campaign,
            "to": request.user.email,
            "unsubscribe_url": request.build_absolute_uri(
                reverse("mail:unsubscribe", args=["preview"])
            ),
        }
        rendered = campaign_message_render(**recipient)
        context = {
            "body": render_to_string(
                "mail/campaign_message_body.html", campaign_message_context(**recipient)
            ),
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "title": f"Preview: {campaign.subject}",
            "rendered": rendered,
        }
        return TemplateResponse(request, "admin/mail/campaign/preview.html", context)

    @staticmethod
    def _change_url(campaign):
        return reverse("admin:mail_campaign_change", args=[campaign.pk])

    def test_view(self, request, pk):
        return require_POST(self._test)(request, pk)

    def _test(self, request, pk):
        campaign = self._campaign(request, pk)
        # Sending, even to oneself, is for those who write campaigns, not who read them.
        if not request.user.has_perm("mail.change_campaign"):
            raise PermissionDenied
        campaign_test_send(campaign=campaign, staff=request.user)
        messages.success(request, f"A test was sent to {request.user.email}.")
        return redirect(self._change_url(campaign))

    def send_view(self, request, pk):
        """Asks first (GET), saying to how many people it goes, then sends (POST)."""
        campaign = self._campaign(request, pk)
        if not request.user.has_perm("mail.send_campaign"):
            raise PermissionDenied
        if request.method == "POST":
            return self._send(request, campaign)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "title": f"Send: {campaign.subject}",
            "recipients": consent_granted_subjects(purpose=campaign.purpose).count(),
            "now": campaign.send_at is None or campaign.send_at <= timezone.now(),
        }
        return TemplateResponse(request, "admin/mail/campaign/send.html", context)

    def _send(self, request, campaign):
        try:
            campaign = campaign_schedule(campaign=campaign)
        except ValueError as error:
            messages.error(request, str(error))
            return redirect(self._change_url(campaign))
        if campaign.send_at <= timezone.now():
            messages.success(request, "Sending now to everyone whose election is granted.")
        else:
            messages.success(request, f"Scheduled for {campaign.send_at:%Y-%m-%d %H:%M} UTC.")
        return redirect(self._change_url(campaign))

    def unschedule_view(self, request, pk):
        return require_POST(self._unschedule)(request, pk)

    def _unschedule(self, request, pk):
        campaign = self._campaign(request, pk)
        if not request.user.has_perm("mail.send_campaign"):
            raise PermissionDenied
        try:
            campaign_unschedule(campaign=campaign)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Taken back: it is a draft again, and nothing was sent.")
        return redirect(self._change_url(campaign))
