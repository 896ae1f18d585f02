"""Reads of the catalog and of orders, and the one place an order's access is checked."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet, StringAgg, Subquery, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from orders.models import (
    Entitlement,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Product,
    SoftwareRelease,
)

ORDER_LINK_SALT = "orders.order-link"
# One "find my orders" e-mail lists this many at most (the newest).
GUEST_ORDERS_SENT_AT_MOST = 20


def order_has_lines_of_cart(*, order: Order, lines) -> bool:
    """Whether the order holds the very products (and computer types) of these cart
    lines: how a checkout form sent again is told from a stale one for a new cart."""
    ordered = sorted(order.lines.values_list("product_id", "computer_type"))
    return ordered == sorted((line.product.pk, line.computer_type) for line in lines)


def order_placed_with_checkout_key(*, key: str) -> Order | None:
    """The order a checkout form placed, from the form's key as sent (any text)."""
    try:
        key = uuid.UUID(key)
    except ValueError:
        return None
    return Order.objects.filter(checkout_key=key).first()


def product_list_active() -> QuerySet[Product]:
    return Product.objects.filter(active=True).prefetch_related("components")


def product_get_active(*, slug: str) -> Product:
    return get_object_or_404(product_list_active(), slug=slug)


# The catalog as shown to visitors is cached this long at most (the shop's template
# caches its list, and product pages their product's part, for as long). A change in
# the admin clears it at once; this only bounds how long a change can go unseen if that
# clearing is lost (the cache unreachable at that moment). Carts and checkout always
# read the database.
CATALOG_CACHE_SECONDS = 60


def product_page_cache_key(slug: str) -> str:
    """Where the part of a product's page that is the same for every visitor is cached."""
    return f"orders:product-page:{slug}"


def catalog_cache_clear(*, also: tuple[str, ...] = ()) -> None:
    """Forget every cached catalog page: the shop's list, and the page of every product
    there is and of the slugs in `also` (a product just deleted, or its slug before a
    rename)."""
    slugs = {*Product.objects.values_list("slug", flat=True), *also}
    cache.delete_many(
        [make_template_fragment_key("shop_list")] + [product_page_cache_key(s) for s in slugs]
    )


def order_list_for_user(*, user) -> QuerySet[Order]:
    """A person's orders, newest first, each with what My orders shows of it: its
    partner and the names of its products (as product_names), in one query. The names
    come from a subquery rather than a join and GROUP BY, so that counting the orders
    (for the pages of the list) reads the orders alone."""
    product_names = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(
            names=StringAgg(
                "product_name",
                delimiter=Value(", "),
                # In the order they were added, where the database can be told so
                # (SQLite before 3.44 cannot).
                order_by="id" if connection.features.supports_aggregate_order_by_clause else None,
            )
        )
        .values("names")
    )
    return (
        Order.objects.filter(user=user)
        .select_related("partner")
        .only("public_id", "status", "currency", "total_minor", "created_at", "partner__name")
        .annotate(product_names=Subquery(product_names))
        .order_by("-created_at", "-id")
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


def _order_link_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=ORDER_LINK_SALT)


def order_access_token(order: Order) -> str:
    """The signed token of an order's private link (the guest's way in). It carries
    the time it was made: a link works for ORDER_LINK_DAYS days, then the buyer asks
    for a new one."""
    return _order_link_signer().sign(order.public_id.hex)


@dataclass(frozen=True)
class OrderLink:
    order: Order
    expired: bool


def order_link_resolve(*, token: str) -> OrderLink:
    """The order a signed link points to, and whether the link is too old to show it;
    404 for a tampered or unknown token."""
    signer = _order_link_signer()
    expired = False
    try:
        public_hex = signer.unsign(token, max_age=timedelta(days=settings.ORDER_LINK_DAYS))
    except signing.SignatureExpired:
        # Genuine but old: it may still ask for a new link to the order's address.
        public_hex = signer.unsign(token)
        expired = True
    except (signing.BadSignature, ValueError):
        # ValueError: a genuine signature without a time, from before links expired.
        raise Http404("No such order.") from None
    # An anonymised order (its account erased) has no one left to show it to.
    order = get_object_or_404(_order_with_details().exclude(email=""), public_id=public_hex)
    return OrderLink(order, expired)


def guest_orders_for_address(*, email: str) -> list[Order]:
    """Orders placed without an account with this address, newest first (the ones a
    private link is the way into)."""
    return list(
        Order.objects.filter(user__isnull=True, email__iexact=email).order_by("-created_at", "-id")[
            :GUEST_ORDERS_SENT_AT_MOST
        ]
    )


def order_software_releases(*, order: Order) -> dict[int, SoftwareRelease | None]:
    """For each line of the order whose download is unlocked (paid, not refunded), the
    newest published build for the computer named at checkout, or None while there is
    no such build. Uses the order's prefetched lines and entitlements."""
    # The software each line bought: for a bundle, its software as it was when paid for.
    bought = [
        (line, entitlement.product_id)
        for line in order.lines.all()
        for entitlement in line.entitlements.all()
        if entitlement.kind == Entitlement.Kind.SOFTWARE_DOWNLOAD and entitlement.is_active
    ]
    if not bought:
        return {}
    newest = {}
    for release in SoftwareRelease.objects.filter(
        published=True, product_id__in={product_id for _, product_id in bought}
    ).select_related("product"):  # newest first
        newest.setdefault((release.product_id, release.computer_type), release)
    return {line.pk: newest.get((product_id, line.computer_type)) for line, product_id in bought}


def order_access_path(order: Order) -> str:
    """Where the buyer sees the order: My orders for an account, else the signed link."""
    if order.user_id:
        return reverse("orders:detail", args=[order.public_id])
    return reverse("orders:link", args=[order_access_token(order)])
