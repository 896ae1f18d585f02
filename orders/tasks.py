import logging
from datetime import datetime

import stripe
from celery import shared_task
from django.db import OperationalError

from orders import payments
from orders.payments import stripe_card_details_fetch
from orders.services import order_links_send_once

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES)
def payment_card_details_fetch(self, payment_id: int) -> None:
    try:
        stripe_card_details_fetch(payment_id=payment_id)
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        if self.request.retries >= MAX_RETRIES:
            # The payment stands without them; only the receipt-side detail is missing.
            logger.error("Gave up fetching card details of payment %s: %s", payment_id, error)
            return
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task
def payments_card_details_requeue() -> int:
    """Beat: fetches of card details lost on the way, or given up, queued again."""
    return payments.payments_card_details_requeue()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=30, max_retries=MAX_RETRIES)
def order_links_send(email: str, requested_at: str) -> None:
    """E-mail an address the links to its guest orders, if it has any (see
    order_links_request); once, however often the task is delivered."""
    order_links_send_once(email=email, requested_at=datetime.fromisoformat(requested_at))
