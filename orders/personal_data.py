"""A person's orders for "download my data" and "delete my account" (see BRIEF).

Orders are kept for accounting when an account is deleted, with the buyer's personal
data blanked and the account unlinked.
"""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q

from accounts.personal_data_registry import ErasureBlocked
from consent.models import email_normalize
from orders.models import Entitlement, Order, OrderEvent
from orders.providers import PaymentAlreadyMade, PaymentProviderError
from orders.services import ADDRESS_FIELDS, OrderTransitionError, order_cancel


def _orders_of(user):
    # The account's orders, and guest orders placed with one of its verified addresses
    # that were not attached to it yet.
    addresses = {
        user.email,
        *EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True),
    }
    # An international domain may be on record in its ASCII form too.
    addresses |= {email_normalize(address) for address in addresses}
    guest = Q(pk__in=[])
    for address in filter(None, addresses):
        guest |= Q(user__isnull=True, email__iexact=address)
    return Order.objects.filter(Q(user=user) | guest)


def export(user) -> dict:
    orders = (
        _orders_of(user)
        .select_related("partner")
        .prefetch_related("lines__entitlements", "events", "payments")
        .order_by("created_at", "id")
    )
    return {
        "orders": [
            {
                "reference": order.reference,
                "placed_at": order.created_at.isoformat(),
                "status": order.status,
                "paid_at": order.paid_at.isoformat() if order.paid_at else None,
                "name": order.name,
                "email": order.email,
                "phone": order.phone,
                "postal_address": {field: getattr(order, field) for field in ADDRESS_FIELDS},
                "co_branded_with": order.partner.name if order.partner else None,
                "co_brand_notice_version": order.partner_notice_version,
                "currency": order.currency,
                "total_minor": order.total_minor,
                "lines": [
                    {
                        "product": line.product_name,
                        "unit_price_minor": line.unit_price_minor,
                        "quantity": line.quantity,
                        "computer_type": line.computer_type,
                        "unlocks": [
                            {
                                "kind": entitlement.kind,
                                "active": entitlement.is_active,
                            }
                            for entitlement in line.entitlements.all()
                        ],
                    }
                    for line in order.lines.all()
                ],
                "payments": [
                    {
                        "provider": payment.provider,
                        "status": payment.status,
                        "card_brand": payment.brand,
                        "card_last4": payment.last4,
                        "amount_minor": payment.amount_minor,
                        "currency": payment.currency,
                    }
                    for payment in order.payments.all()
                ],
                "timeline": [
                    {
                        "at": event.at.isoformat(),
                        "from": event.from_status,
                        "to": event.to_status,
                        "by": event.source,
                        "reason": event.reason,
                    }
                    for event in order.events.all()
                ],
            }
            for order in orders
        ]
    }


def erase(user) -> None:
    """Keep the orders for accounting, anonymised: no name, e-mail, phone or address,
    and no link to the account (nor from what they unlocked).

    An order not paid yet is cancelled first, its open payment page closed at the
    provider: paid after the erasure, it would be an order for nobody we could reach or
    deliver to. Raises ErasureBlocked when a page cannot be closed (the provider cannot
    be reached, or the page was paid meanwhile); the erasure is then undone as a whole.
    Paid orders are kept, anonymised.
    """
    with transaction.atomic():
        order_ids = list(_orders_of(user).values_list("pk", flat=True))
        unpaid = Order.objects.filter(
            pk__in=order_ids, status__in=[Order.Status.PENDING, Order.Status.PAYMENT_FAILED]
        )
        for order in unpaid.order_by("pk"):
            try:
                order_cancel(
                    order=order,
                    source=OrderEvent.Source.SYSTEM,
                    reason="Cancelled unpaid when the buyer's account was deleted",
                )
            except (PaymentAlreadyMade, OrderTransitionError):
                # Paid meanwhile: at the provider, or already recorded by its webhook.
                raise ErasureBlocked(
                    f"The payment for order {order.reference} has just gone through, so "
                    "nothing was deleted yet. Please try again in a few minutes, once it "
                    "is recorded."
                ) from None
            except PaymentProviderError as error:
                raise ErasureBlocked(
                    "Our payment provider could not be reached to close the payment page of "
                    f"the unpaid order {order.reference}, so nothing was deleted. Please try "
                    "again in a few minutes."
                ) from error
        Order.objects.filter(pk__in=order_ids).update(
            user=None, name="", email="", phone="", **dict.fromkeys(ADDRESS_FIELDS, "")
        )
        # Two updates, not one with an OR across the join to order lines: each is read
        # from an index, where the OR would make the database read every entitlement.
        Entitlement.objects.filter(user=user).update(user=None)
        Entitlement.objects.filter(order_line__order__in=order_ids).update(user=None)
