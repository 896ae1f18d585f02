import logging
import smtplib
from datetime import timedelta

from celery import shared_task

from mail.services import email_mark_failed, email_send, outbound_messages_pending

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)
MAX_RETRIES = 8


@shared_task(bind=True, max_retries=MAX_RETRIES)
def outbound_message_send(self, message_id: int) -> None:
    try:
        email_send(message_id=message_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            logger.error("Giving up on outbound message %s: %s", message_id, error)
            email_mark_failed(message_id=message_id)
            return
        # 30 s, 1, 2, 4 … minutes: rides out a mail service's outage.
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task
def outbound_messages_sweep() -> None:
    """Queue again what was never queued or was abandoned (run by beat)."""
    for message_id in outbound_messages_pending(older_than=timedelta(minutes=2)):
        outbound_message_send.delay(message_id)
