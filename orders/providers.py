"""Payment providers: each sends the buyer to a hosted payment page, so card data
never reaches this server (P12, PCI DSS SAQ A).

A provider creates the Payment row for an attempt and returns the URL to send the
buyer to; the outcome comes back through the sandbox page or a signed webhook.
"""

import logging
import secrets
import uuid
from datetime import timedelta
from typing import Protocol

import stripe
from django.conf import settings
from django.core import signing
from django.urls import reverse

from orders.models import Order, Payment

logger = logging.getLogger(__name__)

SANDBOX_SALT = "orders.sandbox-payment"


class PaymentProviderError(Exception):
    """The provider could not be reached or refused the request."""


class PaymentAlreadyMade(PaymentProviderError):
    """An open payment page was paid meanwhile: it cannot be closed, nor a new attempt
    started, and its confirmation is on the way."""


class PaymentProvider(Protocol):
    name: Payment.Provider

    def start(self, *, order: Order, return_url: str, cancel_url: str) -> tuple[Payment, str]:
        """Open a hosted payment page for the order: (the attempt, URL to send the buyer to)."""

    def close(self, *, payment: Payment) -> None:
        """Close an open payment page so that it can no longer be paid."""

    def refund(self, *, payment: Payment) -> None:
        """Give the money of a succeeded payment back."""


class SandboxProvider:
    """A hosted-style page served by this site that asks for no card details: the buyer
    chooses success, failure or cancel. For development and demos only."""

    name = Payment.Provider.SANDBOX

    def start(self, *, order: Order, return_url: str, cancel_url: str) -> tuple[Payment, str]:
        # A new attempt closes the previous page, as at Stripe: one order, one open page.
        for payment in order.payments.filter(provider=self.name, status=Payment.Status.STARTED):
            self.close(payment=payment)
        payment = Payment.objects.create(
            order=order,
            provider=self.name,
            reference=f"sbx_{secrets.token_hex(12)}",
            amount_minor=order.total_minor,
            currency=order.currency,
        )
        return payment, reverse("orders:sandbox_pay", args=[sandbox_token(payment)])

    def close(self, *, payment: Payment) -> None:
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status", "updated_at"])

    def refund(self, *, payment: Payment) -> None:
        logger.info("Sandbox refund of %s: no money moves", payment.reference)


def _sandbox_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SANDBOX_SALT)


def sandbox_token(payment: Payment) -> str:
    return _sandbox_signer().sign(payment.reference)


def sandbox_payment_from_token(token: str) -> Payment | None:
    """The payment a sandbox page is for; None for a tampered or unknown token.

    Raises signing.SignatureExpired once the token is as old as an order's link may
    be: the page leads to the order, so it must not outlive the buyer's own link.
    """
    signer = _sandbox_signer()
    try:
        reference = signer.unsign(token, max_age=timedelta(days=settings.ORDER_LINK_DAYS))
    except signing.SignatureExpired:
        raise
    except (signing.BadSignature, ValueError):
        # ValueError: a genuine signature without a time, from before pages expired.
        return None
    return (
        Payment.objects.select_related("order")
        .filter(provider=Payment.Provider.SANDBOX, reference=reference)
        .first()
    )


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)


class StripeProvider:
    """Stripe Checkout: a Checkout Session per attempt, outcome by signed webhook."""

    name = Payment.Provider.STRIPE

    def start(self, *, order: Order, return_url: str, cancel_url: str) -> tuple[Payment, str]:
        client = stripe_client()
        self._expire_open_sessions(client, order)
        try:
            session = client.v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "line_items": [
                        {
                            "quantity": line.quantity,
                            "price_data": {
                                "currency": order.currency.lower(),
                                "unit_amount": line.unit_price_minor,
                                "product_data": {"name": line.product_name},
                            },
                        }
                        for line in order.lines.all()
                    ],
                    "customer_email": order.email,
                    "client_reference_id": order.public_id.hex,
                    "metadata": {"order": order.public_id.hex},
                    "success_url": return_url,
                    "cancel_url": cancel_url,
                },
                # One key per attempt: the library's retries of this request reuse it,
                # while a new attempt (its return links newly signed) is a new request.
                options={"idempotency_key": f"order-{order.public_id.hex}-{uuid.uuid4().hex}"},
            )
        except stripe.StripeError as error:
            raise PaymentProviderError(str(error)) from error
        # A request Stripe replays is answered with the session it made then: one row.
        payment, _ = Payment.objects.get_or_create(
            provider=self.name,
            reference=session.id,
            defaults={
                "order": order,
                "amount_minor": order.total_minor,
                "currency": order.currency,
            },
        )
        return payment, session.url

    def _expire_open_sessions(self, client: stripe.StripeClient, order: Order) -> None:
        # A new attempt closes the previous page, so that one order cannot be paid twice.
        for payment in order.payments.filter(provider=self.name, status=Payment.Status.STARTED):
            self._expire(client, payment)

    def close(self, *, payment: Payment) -> None:
        self._expire(stripe_client(), payment)

    def _expire(self, client: stripe.StripeClient, payment: Payment) -> None:
        try:
            client.v1.checkout.sessions.expire(payment.reference)
        except stripe.InvalidRequestError:
            # No longer open: expired (fine) or completed, whose webhook is on its way.
            if self._session_status(client, payment) == "complete":
                raise PaymentAlreadyMade(
                    "This order's payment has gone through; its confirmation is on the way."
                ) from None
        except stripe.StripeError as error:
            raise PaymentProviderError(str(error)) from error
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status", "updated_at"])

    def _session_status(self, client: stripe.StripeClient, payment: Payment) -> str:
        try:
            return client.v1.checkout.sessions.retrieve(payment.reference).status
        except stripe.StripeError as error:
            raise PaymentProviderError(str(error)) from error

    def refund(self, *, payment: Payment) -> None:
        try:
            stripe_client().v1.refunds.create(
                params={"payment_intent": payment.payment_reference},
                options={"idempotency_key": f"refund-{payment.reference}"},
            )
        except stripe.StripeError as error:
            raise PaymentProviderError(str(error)) from error


PROVIDERS: dict[str, type] = {
    Payment.Provider.SANDBOX: SandboxProvider,
    Payment.Provider.STRIPE: StripeProvider,
}


def provider_for(name: str) -> PaymentProvider:
    return PROVIDERS[name]()


def provider_current() -> PaymentProvider:
    """The provider new payments go to (settings.PAYMENT_PROVIDER)."""
    return provider_for(settings.PAYMENT_PROVIDER)
