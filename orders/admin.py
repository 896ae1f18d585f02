import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin, ReadOnlyInline
from orders.models import (
    Entitlement,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Product,
    SoftwareRelease,
    WebhookEvent,
)
from orders.providers import PaymentProviderError
from orders.services import (
    OrderTransitionError,
    bundle_components_validate,
    order_cancel,
    order_fulfil,
    order_receipt_resend,
    order_refund,
    software_release_delete,
    software_release_file_set,
)
from orders.templatetags.money import money_format


class ProductForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        # A components choice already refused has its own error; it is no empty bundle.
        if cleaned_data.get("kind") == Product.Kind.BUNDLE and "components" not in self.errors:
            bundle_components_validate(
                bundle=self.instance, components=cleaned_data.get("components", [])
            )
        return cleaned_data


@admin.register(Product)
class ProductAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    form = ProductForm
    list_display = ["name", "kind", "price", "active", "sort_order"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["components"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "summary", "description", "active"]}),
        (
            "Price",
            {
                "fields": ["price_minor", "currency"],
                "description": "In the currency's minor unit: 9900 is $99.00.",
            },
        ),
        ("Bundle", {"fields": ["components"]}),
        ("What checkout asks for", {"fields": ["phone_reason", "postal_address_reason"]}),
        (None, {"fields": ["sort_order"]}),
    ]

    @admin.display(description="price", ordering="price_minor")
    def price(self, product):
        return money_format(product.price_minor, product.currency)


class SoftwareReleaseAddForm(forms.ModelForm):
    file = forms.FileField(help_text="The installer or archive buyers download, as is.")

    class Meta:
        model = SoftwareRelease
        fields = ["product", "computer_type", "version", "download_name", "published"]


@admin.register(SoftwareRelease)
class SoftwareReleaseAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    """Builds are added with their file, which then never changes: a new build is a
    new release. Unpublishing one stops handing it out."""

    list_display = ["product", "computer_type", "version", "published", "size", "created_at"]
    list_filter = ["product", "computer_type", "published"]
    readonly_fields = ["size", "sha256", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SoftwareReleaseAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*SoftwareReleaseAddForm.Meta.fields, "file"]
        return [
            "product",
            "computer_type",
            "version",
            "download_name",
            "published",
            *self.readonly_fields,
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["product", "computer_type", "version", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if not change:
            software_release_file_set(release=obj, file=form.cleaned_data["file"])
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        software_release_delete(release=obj)

    def delete_queryset(self, request, queryset):
        for release in queryset:
            software_release_delete(release=release)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product_name", "includes", "unit_price", "quantity", "computer_type"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The order for its currency; the parts for what the line unlocks.
        return super().get_queryset(request).select_related("order").prefetch_related("parts")

    @admin.display(description="unlocks, as ordered")
    def includes(self, line):
        return ", ".join(part.name for part in line.parts.all())

    @admin.display(description="unit price")
    def unit_price(self, line):
        return money_format(line.unit_price_minor, line.order.currency)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = [
        "created_at",
        "provider",
        "reference",
        "payment_reference",
        "brand",
        "last4",
        "amount",
        "status",
    ]
    readonly_fields = fields

    @admin.display(description="amount")
    def amount(self, payment):
        return money_format(payment.amount_minor, payment.currency)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    verbose_name = "status change"
    verbose_name_plural = "timeline (every status change)"
    fields = ["at", "from_status", "to_status", "source", "actor", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Each row names who made the change, and its title names the order.
        return super().get_queryset(request).select_related("order", "actor")


# How customers quote an order to support: "Order 1A2B3C4D", as receipts and the
# order page print it, or "#1A2B3C4D".
QUOTED_REFERENCE = re.compile(r"^\s*(?:order\s*:?\s*)?#?\s*([0-9a-f]{8})\s*$", re.IGNORECASE)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=250,
        help_text="Recorded in the order's timeline; the buyer sees it.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.register(Order)
class OrderAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Support's view of orders. Statuses change only through the actions, which call
    the order services (and so the payment provider and the audit trail)."""

    list_display = ["reference", "created_at", "name", "email", "status", "partner", "total"]
    list_filter = ["status", "partner", "created_at"]
    search_fields = ["email", "name", "public_id", "payments__reference"]
    search_help_text = "E-mail, name, order reference (“Order 1A2B3C4D”) or payment reference."
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    actions = ["refund", "cancel", "fulfil", "resend_receipt"]
    inlines = [OrderLineInline, PaymentInline, OrderEventInline]
    fieldsets = [
        (None, {"fields": ["public_id", "status", "created_at", "paid_at", "total"]}),
        ("Buyer", {"fields": ["user", "name", "email", "phone", "age_confirmed_at"]}),
        (
            "Postal address",
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    "city",
                    "region",
                    "postal_code",
                    "country",
                ]
            },
        ),
        ("Co-branding", {"fields": ["partner", "partner_notice_version"]}),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]

    def get_search_results(self, request, queryset, search_term):
        quoted = QUOTED_REFERENCE.match(search_term)
        if quoted:
            search_term = quoted[1]
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="order", ordering="public_id")
    def reference(self, order):
        return order.reference

    @admin.display(description="total", ordering="total_minor")
    def total(self, order):
        return money_format(order.total_minor, order.currency)

    def has_refund_permission(self, request):
        return request.user.has_perm("orders.refund_order")

    def has_cancel_permission(self, request):
        return request.user.has_perm("orders.cancel_order")

    def has_fulfil_permission(self, request):
        return request.user.has_perm("orders.fulfil_order")

    @admin.action(
        description="Refund the money and revoke what they unlocked", permissions=["refund"]
    )
    def refund(self, request, queryset):
        return self._with_reason(request, queryset, "refund", "Refund these orders", order_refund)

    @admin.action(description="Cancel unpaid orders", permissions=["cancel"])
    def cancel(self, request, queryset):
        return self._with_reason(request, queryset, "cancel", "Cancel these orders", order_cancel)

    @admin.action(description="Mark paid orders fulfilled", permissions=["fulfil"])
    def fulfil(self, request, queryset):
        return self._with_reason(
            request, queryset, "fulfil", "Mark these orders fulfilled", order_fulfil
        )

    def has_resend_receipt_permission(self, request):
        return request.user.has_perm("orders.resend_receipt")

    @admin.action(description="E-mail the receipt again", permissions=["resend_receipt"])
    def resend_receipt(self, request, queryset):
        for order in queryset:
            try:
                order_receipt_resend(order=order)
            except OrderTransitionError as error:
                self.message_user(request, f"{order.reference}: {error}", messages.ERROR)
            else:
                self.log_change(request, order, "Receipt e-mailed again.")
                self.message_user(
                    request,
                    f"Receipt for order {order.reference} e-mailed again to {order.email}.",
                    messages.SUCCESS,
                )

    def _with_reason(self, request, queryset, action, title, service):
        """Ask for the reason first, then apply the service to each order."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, refused = 0, []
            for order in queryset:
                try:
                    service(
                        order=order,
                        source=OrderEvent.Source.STAFF,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except (OrderTransitionError, PaymentProviderError) as error:
                    refused.append(f"{order.reference}: {error}")
                else:
                    done += 1
            if done:
                self.message_user(request, f"{title}: {done} done.", messages.SUCCESS)
            for problem in refused:
                self.message_user(request, problem, messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/orders/order/action_with_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "orders": queryset,
                "form": form,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Entitlement)
class EntitlementAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "order_line", "user", "created_at", "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "order_line__order__email"]
    list_select_related = ["order_line__order", "user"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "provider", "event_type", "outcome", "detail", "order"]
    list_filter = ["provider", "outcome", "event_type"]
    search_fields = ["event_id"]
    list_select_related = ["order"]
