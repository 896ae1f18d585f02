"""Thin tasks: take ids (or the raw message), call a service. All are idempotent, so
a redelivery after a worker died (acks_late) repeats nothing that took effect."""

import base64
import logging
import smtplib

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mail import services
from mail.imap import imap_mailbox_poll as imap_poll
from mail.models import InboundMessage

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)
MAX_RETRIES = 8


@shared_task(bind=True, max_retries=MAX_RETRIES)
def outbound_message_send(self, message_id: int) -> None:
    try:
        services.email_send(message_id=message_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            logger.error("Giving up on outbound message %s: %s", message_id, error)
            services.email_mark_failed(message_id=message_id)
            return
        # 30 s, 1, 2, 4 … minutes: rides out a mail service's outage.
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


# A message from the webhook lives only in its task until processed (the service was
# answered already): a database that is restarting must not lose it. 30 s, 1, 2, 4 …
# minutes, at most half an hour apart (within the broker's visibility timeout).
@shared_task(
    autoretry_for=(DatabaseOperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=30,
)
def inbound_message_process(
    raw_base64: str, source: str, received_at: str, return_path: str | None = None
) -> int:
    """The raw message travels base64-encoded: the task serializer is JSON. Processing
    it again is safe: the same message has its effect once."""
    inbound = services.inbound_message_process(
        raw=base64.b64decode(raw_base64),
        source=InboundMessage.Source(source),
        received_at=parse_datetime(received_at) or timezone.now(),
        return_path=return_path,
    )
    return inbound.pk


def inbound_message_enqueue(
    *, raw: bytes, source: InboundMessage.Source, received_at, return_path: str | None = None
) -> None:
    """Queue a received message for processing once the transaction commits."""
    inbound_message_process.delay_on_commit(
        base64.b64encode(raw).decode("ascii"), source, received_at.isoformat(), return_path
    )


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
