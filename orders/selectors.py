"""Reads of the catalog and of orders, and the one place an order's access is checked."""

from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from orders.models import Entitlement, Order, OrderEvent, OrderLine, Payment, Product

ORDER_LINK_SALT = "orders.order-link"


def product_list_active() -> QuerySet[Product]:
    return Product.objects.filter(active=True).prefetch_related("components")


def product_get_active(*, slug: str) -> Product:
    return get_object_or_404(product_list_active(), slug=slug)


def order_list_for_user(*, user) -> QuerySet[Order]:
    """A person's orders, newest first, with their lines."""
    return (
        Order.objects.filter(user=user)
        .select_related("partner")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
    )


def _order_with_details() -> QuerySet[Order]:
    return Order.objects.select_related("partner").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")),
        Prefetch(
            "payments",
            queryset=Payment.objects.filter(
                status__in=[Payment.Status.SUCCEEDED, Payment.Status.REFUNDED]
            ),
            to_attr="settled_payments",
        ),
        Prefetch(
            "lines__entitlements",
            queryset=Entitlement.objects.order_by("created_at", "id"),
        ),
    )


def order_get_for_user(*, user, public_id) -> Order:
    """The signed-in owner's order; 404 for anyone else (strangers learn nothing)."""
    if not user.is_authenticated:
        raise Http404("No such order.")
    return get_object_or_404(_order_with_details(), public_id=public_id, user=user)


def order_access_token(order: Order) -> str:
    """The signed token of an order's private link (the guest's way in)."""
    return signing.Signer(salt=ORDER_LINK_SALT).sign(order.public_id.hex)


def order_get_by_token(*, token: str) -> Order:
    """The order a signed link points to; 404 for a tampered or unknown token."""
    try:
        public_hex = signing.Signer(salt=ORDER_LINK_SALT).unsign(token)
    except signing.BadSignature:
        raise Http404("No such order.") from None
    return get_object_or_404(_order_with_details(), public_id=public_hex)


def order_access_path(order: Order) -> str:
    """Where the buyer sees the order: My orders for an account, else the signed link."""
    if order.user_id:
        return reverse("orders:detail", args=[order.public_id])
    return reverse("orders:link", args=[order_access_token(order)])
