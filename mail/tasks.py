"""Thin tasks: take ids, call a service. All are idempotent, so
a redelivery after a worker died (acks_late) repeats nothing that took effect."""

import logging
import smtplib

from celery import shared_task

from mail import services
from mail.imap import imap_mailbox_poll as imap_poll

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)
MAX_RETRIES = services.SEND_RETRIES


@shared_task(bind=True, max_retries=MAX_RETRIES)
def outbound_message_send(self, message_id: int) -> None:
    try:
        services.email_send(message_id=message_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            logger.error("Giving up on outbound message %s: %s", message_id, error)
            services.email_mark_failed(message_id=message_id)
            return
        countdown = services.email_send_retry_countdown(retries=self.request.retries)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task
def inbound_delivery_process(delivery_id: int) -> int | None:
    """A "remove" (or any) e-mail the webhook received; if this fails (the database is
    restarting, say), the delivery stays kept and the sweep queues it again."""
    inbound = services.inbound_delivery_process(delivery_id=delivery_id)
    return inbound.pk if inbound else None


@shared_task
def inbound_deliveries_requeue() -> int:
    """Beat: webhook deliveries whose task was lost queued again."""
    return services.inbound_deliveries_requeue()


@shared_task
def imap_mailbox_poll() -> int:
    return imap_poll()


@shared_task
def campaigns_dispatch_due() -> int:
    return len(services.campaigns_dispatch_due())


@shared_task
def campaign_fan_out(campaign_id: int) -> int:
    return services.campaign_fan_out(campaign_id=campaign_id)


@shared_task
def campaign_deliveries_send(campaign_id: int, subject_from: int, subject_to: int) -> int:
    return services.campaign_deliveries_send(
        campaign_id=campaign_id, subject_from=subject_from, subject_to=subject_to
    )


@shared_task
def outbound_messages_sweep() -> int:
    """Queue again what was never queued or was abandoned (run by beat)."""
    return services.outbound_messages_sweep()


@shared_task
def outbound_messages_forget() -> int:
    """Clear what sent messages said once they are old enough (run by beat)."""
    return services.outbound_messages_forget()
