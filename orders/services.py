"""Orders: placing them, the status workflow, what a paid order unlocks, receipts.

An order's status changes only through order_transition, which writes the audit
entry (who, when, from, to, why) that admin and the buyer's timeline show.
"""

import hashlib
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from careerperfect.private_files import PRIVATE_STORAGE, private_file_store
from consent.purposes import Purpose
from consent.purposes import Source as ConsentSource
from consent.services import consent_grant
from mail.models import OutboundMessage
from mail.services import address_confirmation_request, email_queue
from orders.cart import CartLine, product_parts
from orders.models import (
    Entitlement,
    Order,
    OrderEvent,
    OrderLine,
    OrderLinePart,
    Payment,
    Product,
    SoftwareRelease,
)
from privacy.services import stored_files_delete

logger = logging.getLogger(__name__)

Status = Order.Status

# The order workflow: from each status, the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.PAID, Status.PAYMENT_FAILED, Status.CANCELLED}),
    Status.PAYMENT_FAILED: frozenset({Status.PENDING, Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset({Status.FULFILLED, Status.REFUNDED}),
    Status.FULFILLED: frozenset({Status.REFUNDED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
}

ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")

# What each kind of product unlocks once paid for.
ENTITLEMENTS_BY_PRODUCT_KIND = {
    Product.Kind.RESUME_PACKAGE: [Entitlement.Kind.RESUME_WRITING],
    Product.Kind.COVER_LETTER: [Entitlement.Kind.COVER_LETTER],
    Product.Kind.SOFTWARE: [Entitlement.Kind.ASSESSMENTS, Entitlement.Kind.SOFTWARE_DOWNLOAD],
}


class OrderTransitionError(Exception):
    """The order's current status does not allow the change asked for."""


class OrderAlreadyPlaced(Exception):
    """The checkout form was sent again: its order has been placed already."""

    def __init__(self, order: Order):
        super().__init__(f"Order {order.reference} was placed with this checkout form.")
        self.order = order


def _unlocked_by(parts: Iterable[Product]) -> dict[Entitlement.Kind, Product]:
    """Each kind a line's parts unlock, with the part it comes from: the first that
    unlocks it."""
    unlocked = {}
    for part in parts:
        for kind in ENTITLEMENTS_BY_PRODUCT_KIND[part.kind]:
            unlocked.setdefault(kind, part)
    return unlocked


def bundle_components_validate(*, bundle: Product, components: Iterable[Product]) -> None:
    """A bundle includes at least one product, and products that are not bundles, and
    is not itself included in a bundle: a bundle's parts are one level deep, and can
    never loop; and a buyer always gets something.

    Raises ValidationError naming each problem."""
    components = list(components)
    errors = [] if components else ["A bundle includes at least one product: choose them."]
    for part in components:
        if part.pk == bundle.pk:
            errors.append("A bundle cannot include itself.")
        elif part.kind == Product.Kind.BUNDLE:
            errors.append(f"{part.name} is a bundle: include its products instead.")
    if bundle.pk:
        including = Product.objects.filter(kind=Product.Kind.BUNDLE, components=bundle)
        for other in including.exclude(pk=bundle.pk):
            errors.append(
                f"{bundle.name} is included in the bundle {other.name}, so it cannot be a bundle."
            )
    if errors:
        raise ValidationError(errors)


def order_lines_add(*, order: Order, lines: Iterable[CartLine]) -> list[OrderLine]:
    """Add lines to an order being placed, each keeping what it unlocks as its product
    is now (a bundle's products): what the buyer ordered is what payment unlocks."""
    lines = list(lines)
    added = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            product_name=line.product.name,
            unit_price_minor=line.product.price_minor,
            computer_type=line.computer_type,
        )
        for line in lines
    )
    OrderLinePart.objects.bulk_create(
        OrderLinePart(line=added_line, product=part)
        for added_line, line in zip(added, lines, strict=True)
        for part in product_parts(line.product)
    )
    return added


def entitlements_grant(*, order: Order) -> list[Entitlement]:
    """Create the entitlements a paid order's lines unlock, and open the resume
    workspaces they give (idempotent, in the caller's transaction)."""
    # resumes builds on orders (its models point at Entitlement): imported here.
    from resumes.services import resume_workspaces_open

    granted = []
    for line in order.lines.prefetch_related("parts"):
        for kind, part in _unlocked_by(line.parts.all()).items():
            entitlement, _ = Entitlement.objects.get_or_create(
                order_line=line, kind=kind, defaults={"user": order.user, "product": part}
            )
            granted.append(entitlement)
    resume_workspaces_open(entitlements=granted)
    return granted


def entitlements_revoke(*, order: Order) -> int:
    """Revoke what a refunded order unlocked, taking its resumes' writers off them;
    returns how many entitlements were active."""
    from resumes.services import resume_writers_release

    revoked = Entitlement.objects.filter(order_line__order=order, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    resume_writers_release(order=order)
    return revoked


SOFTWARE_FOLDER = "software"


def software_release_file_set(*, release: SoftwareRelease, file) -> None:
    """Store a build's file privately and take its size and SHA-256 from it (buyers
    see the checksum to verify what they downloaded). The release is not saved."""
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
    release.storage_name = private_file_store(folder=SOFTWARE_FOLDER, file=file)
    release.size = size
    release.sha256 = digest.hexdigest()


def software_release_delete(*, release: SoftwareRelease) -> None:
    """Delete a build and, once that is committed, its file."""
    with transaction.atomic():
        release.delete()
        stored_files_delete(storage=PRIVATE_STORAGE, names=[release.storage_name])


def software_release_add(
    *,
    product: Product,
    computer_type: str,
    version: str,
    download_name: str,
    file,
    published: bool = True,
) -> SoftwareRelease:
    """A new build of a software product, handed out from now on to its buyers with
    that kind of computer."""
    if product.kind != Product.Kind.SOFTWARE:
        raise ValueError(f"{product} is not software: it has no builds to download.")
    release = SoftwareRelease(
        product=product,
        computer_type=computer_type,
        version=version,
        download_name=download_name,
        published=published,
    )
    software_release_file_set(release=release, file=file)
    release.save()
    return release


def order_create(
    *,
    lines: list[CartLine],
    name: str,
    email: str,
    age_confirmed_at: datetime,
    user=None,
    phone: str = "",
    address: dict[str, str] | None = None,
    partner=None,
    elections: Iterable[Purpose] = (),
    checkout_key: uuid.UUID | None = None,
) -> Order:
    """Place an order awaiting payment, and record the elections ticked at checkout.

    On a partner's pages the order keeps that partner and the version of the co-brand
    notice shown (P8). Raises OrderAlreadyPlaced, placing nothing, when an order has
    the checkout form's key (the form sent twice).
    """
    if not lines:
        raise ValueError("An order needs at least one product.")
    if age_confirmed_at is None:
        raise ValueError("Nothing is stored for a buyer who has not confirmed the minimum age.")
    currencies = {line.product.currency for line in lines}
    if len(currencies) != 1:
        raise ValueError("All products of an order must be priced in one currency.")
    address = address or {}
    try:
        with transaction.atomic():
            order = Order.objects.create(
                user=user,
                name=name,
                email=email,
                phone=phone,
                **{field: address.get(field, "") for field in ADDRESS_FIELDS},
                currency=currencies.pop(),
                total_minor=sum(line.product.price_minor for line in lines),
                age_confirmed_at=age_confirmed_at,
                partner=partner,
                partner_notice_version=partner.notice_version if partner else None,
                checkout_key=checkout_key,
            )
            order_lines_add(order=order, lines=lines)
            OrderEvent.objects.create(
                order=order,
                from_status="",
                to_status=order.status,
                source=OrderEvent.Source.BUYER,
                actor=user,
                reason="Order placed" + (f" on {partner.name}'s pages" if partner else ""),
            )
            for purpose in elections:
                consent_grant(
                    purpose=purpose,
                    source=ConsentSource.CHECKOUT,
                    user=user,
                    email=None if user else email,
                    evidence={"order": order.reference},
                )
            if elections and user is None:
                address_confirmation_request(email=email, occasion="placing an order")
    except IntegrityError:
        placed = checkout_key and Order.objects.filter(checkout_key=checkout_key).first()
        if not placed:
            raise
        raise OrderAlreadyPlaced(placed) from None
    return order


def order_transition(
    *,
    order: Order,
    to: Order.Status,
    source: OrderEvent.Source,
    reason: str,
    actor=None,
) -> Order:
    """Move an order to another status if the workflow allows it, with its audit entry.

    Raises OrderTransitionError otherwise, changing nothing. Updates `order` in place.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if to not in TRANSITIONS[locked.status]:
            raise OrderTransitionError(
                f"An order that is “{locked.get_status_display()}” cannot become "
                f"“{Status(to).label}”."
            )
        event = OrderEvent.objects.create(
            order=locked,
            from_status=locked.status,
            to_status=to,
            source=source,
            actor=actor,
            reason=reason[:300],
        )
        locked.status = to
        if to == Status.PAID:
            locked.paid_at = event.at
        locked.save(update_fields=["status", "paid_at"])
    order.status, order.paid_at = locked.status, locked.paid_at
    return order


def order_pay(*, order: Order, source: OrderEvent.Source, reason: str) -> Order:
    """Mark an order paid: unlock what it bought and send the receipt."""
    with transaction.atomic():
        order_transition(order=order, to=Status.PAID, source=source, reason=reason)
        entitlements_grant(order=order)
        order_receipt_queue(order=order)
    return order


def order_cancel(*, order: Order, source: OrderEvent.Source, reason: str, actor=None) -> Order:
    """Cancel an order that has not been paid; its open payment pages are closed at the
    provider first, so that none can be paid afterwards (raises PaymentProviderError,
    changing nothing, if one was paid meanwhile)."""
    from orders.providers import provider_for

    with transaction.atomic():
        order_transition(
            order=order, to=Status.CANCELLED, source=source, reason=reason, actor=actor
        )
        for payment in order.payments.filter(status=Payment.Status.STARTED):
            provider_for(payment.provider).close(payment=payment)
    return order


def order_refund(
    *,
    order: Order,
    source: OrderEvent.Source,
    reason: str,
    actor=None,
    at_provider: bool = True,
) -> Order:
    """Refund a paid order: the money (unless the provider told us it already did),
    the status, and what the order unlocked.

    The provider is asked inside the transaction, so that a refused refund leaves the
    order as it was.
    """
    from orders.providers import provider_for

    with transaction.atomic():
        order_transition(order=order, to=Status.REFUNDED, source=source, reason=reason, actor=actor)
        payment = order.payments.filter(status=Payment.Status.SUCCEEDED).first()
        if payment is not None:
            if at_provider:
                provider_for(payment.provider).refund(payment=payment)
            payment.status = Payment.Status.REFUNDED
            payment.save(update_fields=["status", "updated_at"])
        entitlements_revoke(order=order)
    return order


def order_fulfil(*, order: Order, source: OrderEvent.Source, reason: str, actor=None) -> Order:
    return order_transition(
        order=order, to=Status.FULFILLED, source=source, reason=reason, actor=actor
    )


def order_receipt_queue(*, order: Order):
    """The receipt e-mail (HTML and text). Transactional: never held back by the
    person's elections, and without List-Unsubscribe."""
    from orders.selectors import order_access_path

    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "payment": order.payments.filter(status=Payment.Status.SUCCEEDED).first(),
        "order_url": settings.SITE_URL + order_access_path(order),
        "link_days": settings.ORDER_LINK_DAYS,
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
    }
    return email_queue(
        to=order.email,
        subject=f"Your CareerPerfect receipt, order {order.reference}",
        text=render_to_string("orders/email/receipt.txt", context),
        html=render_to_string("orders/email/receipt.html", context),
        headers={"Auto-Submitted": "auto-generated"},
    )


def order_receipt_resend(*, order: Order):
    """The receipt again, for a buyer who lost it: only while the order stands paid
    (a refunded or unpaid order has none to show)."""
    if order.status not in {Status.PAID, Status.FULFILLED}:
        raise OrderTransitionError(
            f"an order that is “{order.get_status_display()}” has no receipt."
        )
    if not order.email:
        # Erasure keeps the order for accounting but clears its address: a receipt
        # would go nowhere, and be recorded as sent.
        raise OrderTransitionError("its buyer was erased, so it has no address to send to.")
    return order_receipt_queue(order=order)


def order_links_queue(*, orders: list[Order]):
    """E-mail fresh private links to guest orders, all placed with one address: the
    way back in once an earlier link has expired or its e-mail is lost. Nothing is sent
    for no orders. Transactional, like the receipt."""
    from orders.selectors import order_access_path

    if not orders:
        return None
    context = {
        "orders": [(order, settings.SITE_URL + order_access_path(order)) for order in orders],
        "link_days": settings.ORDER_LINK_DAYS,
        "contact_email": settings.CONTACT_EMAIL,
    }
    return email_queue(
        to=orders[0].email,
        subject=_order_links_subject(orders),
        text=render_to_string("orders/email/order_links.txt", context),
        html=render_to_string("orders/email/order_links.html", context),
        headers={"Auto-Submitted": "auto-generated"},
    )


def _order_links_subject(orders: list[Order]) -> str:
    if len(orders) == 1:
        return f"Your link to CareerPerfect order {orders[0].reference}"
    return "Your links to your CareerPerfect orders"


def order_links_request(*, email: str) -> None:
    """Have the links to an address's guest orders e-mailed to it. Looking the address
    up is the task's work, so a request takes as long whether or not it has orders and
    the time taken tells no one who has ordered. If the broker refuses the task the
    lookup is done here instead, at the cost of that evenness while it is down."""
    from orders.selectors import guest_orders_for_address
    from orders.tasks import order_links_send

    try:
        order_links_send.apply_async(
            args=[email, timezone.now().isoformat()],
            # Logs and task events show this instead of the address.
            argsrepr="('<address>', '<requested at>')",
            retry=False,
        )
    except (KombuOperationalError, ConnectionError, OSError):
        logger.warning("Broker unreachable; order links looked up in the request")
        order_links_queue(orders=guest_orders_for_address(email=email))


def order_links_send_once(*, email: str, requested_at: datetime):
    """The task's work: the links to the address's guest orders, unless the same
    links have gone to it since the request was made (the task delivered again after
    a worker died, or an earlier request's mail already carries them)."""
    from orders.selectors import guest_orders_for_address

    orders = guest_orders_for_address(email=email)
    if not orders:
        return None
    already = OutboundMessage.objects.filter(
        to=orders[0].email, subject=_order_links_subject(orders), created_at__gte=requested_at
    )
    if already.exists():
        return None
    return order_links_queue(orders=orders)


def orders_attach_to_user(*, user) -> int:
    """Give an account the guest orders placed with one of its verified addresses,
    with what they unlocked. Returns how many orders were attached."""
    from allauth.account.models import EmailAddress

    from resumes.services import resume_workspaces_open_for_owner

    addresses = set(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not addresses:
        return 0
    matches_address = Q(pk__in=[])
    for address in addresses:
        matches_address |= Q(email__iexact=address)
    with transaction.atomic():
        order_ids = list(
            Order.objects.select_for_update()
            .filter(matches_address, user__isnull=True)
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        if not order_ids:
            return 0
        Order.objects.filter(pk__in=order_ids).update(user=user)
        Entitlement.objects.filter(order_line__order__in=order_ids, user__isnull=True).update(
            user=user
        )
        resume_workspaces_open_for_owner(user=user)
    logger.info("Attached %d guest order(s) to account %s", len(order_ids), user.pk)
    return len(order_ids)
