"""Payments: starting an attempt at the provider, and applying what the provider
reports (the sandbox page's choice, or a Stripe webhook) to the order."""

import json
import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from careerperfect.queueing import enqueue_on_commit
from orders import providers
from orders.models import Order, OrderEvent, Payment, WebhookEvent
from orders.services import OrderTransitionError, order_pay, order_refund, order_transition

logger = logging.getLogger(__name__)

Status = Order.Status


class PaymentMismatch(Exception):
    """What the provider says was paid is not what the order costs."""


class WebhookRejected(Exception):
    """A webhook request that is not authentic (signature, timestamp) or not readable."""


class WebhookTooEarly(Exception):
    """An authentic event about a payment we do not know yet: it is not recorded, and
    answered with an error so that the provider sends it again later."""


def payment_start(*, order: Order, return_url: str, cancel_url: str, actor=None) -> str:
    """Open the provider's hosted payment page for an unpaid order; returns its URL.

    An order whose payment failed goes back to awaiting payment for the new attempt.
    Raises OrderTransitionError for an order that cannot be paid, PaymentAlreadyMade
    when its open payment page was paid meanwhile, PaymentProviderError when the
    provider cannot be reached.
    """
    provider = providers.provider_current()
    # The order stays locked until the attempt has started: a second click on Pay waits
    # for the first, then closes the page it opened, so an order has one open page.
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (Status.PENDING, Status.PAYMENT_FAILED):
            raise OrderTransitionError(
                f"An order that is “{order.get_status_display()}” is not due."
            )
        if order.status == Status.PAYMENT_FAILED:
            order_transition(
                order=order,
                to=Status.PENDING,
                source=OrderEvent.Source.BUYER,
                actor=actor,
                reason="Payment tried again",
            )
        _, url = provider.start(order=order, return_url=return_url, cancel_url=cancel_url)
    return url


def _locked(payment: Payment) -> Payment:
    """The payment and its order, both locked: the order first, as payment_start locks
    it before it touches the order's payments, so that the two never wait on each other."""
    Order.objects.select_for_update().get(pk=payment.order_id)
    return Payment.objects.select_for_update().select_related("order").get(pk=payment.pk)


def payment_succeed(
    *,
    payment: Payment,
    amount_minor: int,
    currency: str,
    payment_reference: str = "",
    brand: str = "",
    last4: str = "",
) -> bool:
    """Record that the provider took the money; pays the order. Idempotent: False when
    this payment had succeeded already.

    Raises PaymentMismatch (changing nothing) when the amount or currency is not the
    order's, and OrderTransitionError when the order is no longer due.
    """
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status == Payment.Status.SUCCEEDED:
            return False
        order = payment.order
        if amount_minor != order.total_minor or currency.upper() != order.currency.upper():
            raise PaymentMismatch(
                f"Provider reports {amount_minor} {currency.upper()}, "
                f"order {order.reference} is {order.total_minor} {order.currency.upper()}."
            )
        payment.status = Payment.Status.SUCCEEDED
        payment.payment_reference = payment_reference or payment.payment_reference
        payment.brand = brand[:30]
        payment.last4 = last4[-4:] if last4 else ""
        payment.save()
        order_pay(
            order=order,
            source=OrderEvent.Source.PROVIDER,
            reason=f"Payment received through {payment.get_provider_display()}",
        )
    return True


def payment_fail(*, payment: Payment, reason: str) -> bool:
    """Record a failed or abandoned attempt. The order shows the failure only if this
    is its newest attempt and it is still awaiting payment. False if nothing changed."""
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status != Payment.Status.STARTED:
            return False
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status", "updated_at"])
        order = payment.order
        newest = order.payments.order_by("-created_at", "-id").first()
        if newest == payment and order.status == Status.PENDING:
            order_transition(
                order=order,
                to=Status.PAYMENT_FAILED,
                source=OrderEvent.Source.PROVIDER,
                reason=reason,
            )
    return True


def _started_close(payment: Payment, status: Payment.Status) -> bool:
    """Close an attempt still open, leaving its order as it is; False if it was not."""
    updated = Payment.objects.filter(pk=payment.pk, status=Payment.Status.STARTED).update(
        status=status, updated_at=timezone.now()
    )
    return bool(updated)


def payment_reject(*, payment: Payment) -> bool:
    """A payment the provider reports taken that we refused: the attempt is closed, so
    the order can be paid again or cancelled (and its buyer's account erased)."""
    return _started_close(payment, Payment.Status.REJECTED)


def payment_abandon(*, payment: Payment) -> bool:
    """The buyer left the payment page without paying: the attempt is closed and the
    order stays awaiting payment (they may pay later, or cancel it)."""
    return _started_close(payment, Payment.Status.CANCELLED)


class SandboxOutcome:
    SUCCESS = "success"
    FAILURE = "failure"
    CANCEL = "cancel"
    CHOICES = (SUCCESS, FAILURE, CANCEL)


def sandbox_outcome_apply(*, payment: Payment, outcome: str) -> None:
    """What the buyer chose on the sandbox payment page."""
    if outcome == SandboxOutcome.SUCCESS:
        payment_succeed(
            payment=payment, amount_minor=payment.amount_minor, currency=payment.currency
        )
    elif outcome == SandboxOutcome.FAILURE:
        payment_fail(payment=payment, reason="The sandbox payment was declined")
    elif outcome == SandboxOutcome.CANCEL:
        payment_abandon(payment=payment)
    else:
        raise ValueError(f"Unknown sandbox outcome {outcome!r}")


# --- Stripe webhooks ---------------------------------------------------------------


def stripe_webhook_handle(*, payload: bytes, signature: str | None) -> WebhookEvent:
    """Verify a Stripe webhook with the stripe library and apply it once.

    Raises WebhookRejected for a bad signature, a stale timestamp or an unreadable
    body. The same event delivered again returns its first record and does nothing.
    Raises WebhookTooEarly, recording nothing, for an event that must wait for
    another (see _charge_refunded).
    """
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE
        )
        event = json.loads(text)
        event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(f"Signature check failed: {error.user_message or error}") from error
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise WebhookRejected("Not a Stripe event") from error
    if not (_text(event_id) and _text(event_type) and isinstance(obj, dict)):
        raise WebhookRejected("Not a Stripe event")
    if len(event_id) > 255 or len(event_type) > 100:
        raise WebhookRejected("Not a Stripe event")

    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    provider=Payment.Provider.STRIPE,
                    event_id=event_id,
                    event_type=event_type,
                    outcome=WebhookEvent.Outcome.IGNORED,
                )
        except IntegrityError:
            logger.info("Stripe event %s received again; already handled", event_id)
            return WebhookEvent.objects.get(provider=Payment.Provider.STRIPE, event_id=event_id)
        handler = STRIPE_HANDLERS.get(event_type)
        if handler is None:
            record.detail = "Event type not used"
        else:
            record.outcome, record.detail, record.order = handler(obj)
        if record.outcome == WebhookEvent.Outcome.REJECTED:
            logger.error("Stripe event %s rejected: %s", event_id, record.detail)
        record.detail = record.detail[:300]
        record.save(update_fields=["outcome", "detail", "order"])
    return record


def _text(value) -> str:
    """A string field of an event as text we can store, or "" for anything else (a
    signed event is Stripe's, but its shape is checked rather than trusted)."""
    return value if isinstance(value, str) and "\x00" not in value else ""


def _stripe_payment(**lookup) -> Payment | None:
    return (
        Payment.objects.select_related("order")
        .filter(provider=Payment.Provider.STRIPE, **lookup)
        .first()
    )


def _session_paid(session: dict):
    payment = _stripe_payment(reference=_text(session.get("id")))
    if payment is None:
        return WebhookEvent.Outcome.IGNORED, "No payment of ours has this session", None
    amount = session.get("amount_total")
    if session.get("payment_status") != "paid":
        return (
            WebhookEvent.Outcome.IGNORED,
            "Session complete, payment still pending",
            payment.order,
        )
    try:
        changed = payment_succeed(
            payment=payment,
            amount_minor=amount if type(amount) is int else None,
            currency=_text(session.get("currency")),
            payment_reference=_text(session.get("payment_intent")),
        )
    except PaymentMismatch as error:
        _rejected_reference_keep(payment=payment, session=session)
        payment_reject(payment=payment)
        return WebhookEvent.Outcome.REJECTED, str(error), payment.order
    except OrderTransitionError as error:
        _rejected_reference_keep(payment=payment, session=session)
        payment_reject(payment=payment)
        return (
            WebhookEvent.Outcome.REJECTED,
            f"Paid, but the order cannot take it ({error}); refund it at Stripe.",
            payment.order,
        )
    if changed and _text(session.get("payment_intent")):
        from orders.tasks import payment_card_details_fetch

        # With the broker down the payment stands all the same (Stripe is answered 200):
        # payments_card_details_requeue queues the fetch later.
        enqueue_on_commit(payment_card_details_fetch, payment.pk)
    outcome = WebhookEvent.Outcome.PROCESSED if changed else WebhookEvent.Outcome.IGNORED
    return outcome, "Order paid" if changed else "Payment already recorded", payment.order


def _rejected_reference_keep(*, payment: Payment, session: dict) -> None:
    """Keep the payment intent of a payment we refused, so that the refund staff make
    of it at Stripe is matched when Stripe reports it (not answered "too early")."""
    intent = _text(session.get("payment_intent"))
    if intent:
        Payment.objects.filter(pk=payment.pk, payment_reference="").update(payment_reference=intent)


def _session_failed(session: dict, reason: str):
    payment = _stripe_payment(reference=_text(session.get("id")))
    if payment is None:
        return WebhookEvent.Outcome.IGNORED, "No payment of ours has this session", None
    changed = payment_fail(payment=payment, reason=reason)
    outcome = WebhookEvent.Outcome.PROCESSED if changed else WebhookEvent.Outcome.IGNORED
    return outcome, reason if changed else "Attempt already closed", payment.order


def _charge_refunded(charge: dict):
    payment = _stripe_payment(payment_reference=_text(charge.get("payment_intent")) or "-")
    if payment is None:
        # Stripe does not send events in order: a refund may come before the
        # checkout.session.completed that tells us which payment the charge is. Were it
        # recorded as handled here, that later event would pay the order, unlock what it
        # bought and send a receipt for money already given back. So it is not recorded,
        # and answered with an error: Stripe sends it again (with backoff, for up to
        # three days), by when the payment is known. A charge that is not ours at all
        # (made outside our checkout) costs only those retries.
        raise WebhookTooEarly("No payment of ours has this charge (yet); send it again later")
    order = payment.order
    if not charge.get("refunded"):
        return WebhookEvent.Outcome.IGNORED, "Partly refunded: staff decide", order
    if order.status == Status.REFUNDED:
        return WebhookEvent.Outcome.IGNORED, "Order already refunded", order
    if order.status != Status.PAID and order.status != Status.FULFILLED:
        return WebhookEvent.Outcome.IGNORED, "Order not paid with us: nothing to undo", order
    order_refund(
        order=order,
        source=OrderEvent.Source.PROVIDER,
        reason="Refunded at Stripe",
        at_provider=False,
    )
    return WebhookEvent.Outcome.PROCESSED, "Order refunded", order


STRIPE_HANDLERS = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "checkout.session.async_payment_failed": lambda session: _session_failed(
        session, "The payment did not go through"
    ),
    "checkout.session.expired": lambda session: _session_failed(
        session, "The payment page expired before payment"
    ),
    "charge.refunded": _charge_refunded,
}


def stripe_card_details_fetch(*, payment_id: int) -> bool:
    """Ask Stripe for the brand and last 4 digits of the card that paid (all we keep of
    it). True when they were stored now."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.brand or not payment.payment_reference:
        return False
    intent = providers.stripe_client().v1.payment_intents.retrieve(
        payment.payment_reference, params={"expand": ["latest_charge"]}
    )
    charge = intent.latest_charge
    card = getattr(getattr(charge, "payment_method_details", None), "card", None)
    if card is None:
        return False
    Payment.objects.filter(pk=payment_id).update(brand=card.brand[:30], last4=card.last4[-4:])
    return True


# The sweep (payments_card_details_requeue, run by beat) queues the fetch again for a
# paid Stripe payment still without its card brand: its task was lost (broker down) or
# its own retries ran out. After the first, only for a day: the details of some payments
# can never be had (not paid by card), and Stripe is not asked about those for ever.
CARD_DETAILS_LOST_AFTER = timedelta(minutes=20)
CARD_DETAILS_GIVE_UP_AFTER = timedelta(days=1)
CARD_DETAILS_REQUEUE_BATCH = 500


def payments_card_details_requeue(*, now=None) -> int:
    """Queue the card-details fetch again for recent paid Stripe payments without a
    brand; return how many. Safe to run twice: the fetch does nothing for a payment
    that has its brand."""
    from orders.tasks import payment_card_details_fetch

    now = now or timezone.now()
    due = list(
        Payment.objects.filter(
            provider=Payment.Provider.STRIPE,
            status=Payment.Status.SUCCEEDED,
            brand="",
            # When it succeeded: nothing but the fetch (an update) changes it afterwards.
            updated_at__gt=now - CARD_DETAILS_GIVE_UP_AFTER,
            updated_at__lt=now - CARD_DETAILS_LOST_AFTER,
        )
        .exclude(payment_reference="")
        .order_by("updated_at")
        .values_list("pk", flat=True)[:CARD_DETAILS_REQUEUE_BATCH]
    )
    for payment_id in due:
        enqueue_on_commit(payment_card_details_fetch, payment_id)
    if due:
        logger.info("Queued the card details of %d payment(s) again", len(due))
    return len(due)
